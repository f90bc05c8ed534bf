// Lines at most 140 characters (house style). Prettier keeps code within its printWidth of 140, but it
// never splits a string literal or a comment: those are split by hand ('...' + '...', or new RegExp
// for a long regex), and this test says where one was missed. Recorded outputs are data, not code.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAX = 140;
const EXCLUDED = ['harness/evidence/recorded/', 'fixtures/recorded/'];

// Files allowed longer lines, each with the reason it cannot be split. Keep it empty if you can.
const ALLOWED: Record<string, string> = {};

export function longLines(file: string, text: string, max = MAX): string[] {
  return text.split(/\r?\n/).flatMap((line, i) => {
    const n = [...line].length; // characters, not UTF-16 units
    return n > max ? [`${file}:${i + 1} (${n} chars)`] : [];
  });
}

function trackedSources(): string[] {
  return execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.cjs'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && !EXCLUDED.some((d) => f.startsWith(d)) && existsSync(join(ROOT, f)));
}

describe('line length', () => {
  it(`no line over ${MAX} characters in git-tracked .ts/.cjs files`, () => {
    const files = trackedSources();
    expect(files.length).toBeGreaterThan(0);
    const long = files.filter((f) => !(f in ALLOWED)).flatMap((f) => longLines(f, readFileSync(join(ROOT, f), 'utf8')));
    expect(long).toEqual([]);
  });

  it('the allow-list names only tracked files', () => {
    const files = new Set(trackedSources());
    expect(Object.keys(ALLOWED).filter((f) => !files.has(f))).toEqual([]);
  });

  it('counts characters per line and numbers lines from 1', () => {
    expect(longLines('a.ts', `short\n${'x'.repeat(141)}\n${'y'.repeat(140)}\r\n${'é'.repeat(140)}`)).toEqual(['a.ts:2 (141 chars)']);
  });
});
