import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isHiltError } from '../../errors.ts';
import { fileNameFor } from './build.ts';
import { attachmentsOf, findResultsFolders, readRuns, readSummary, requireResultsFolders } from './collect.ts';

const base = mkdtempSync(join(tmpdir(), 'hilt-collect-test-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

// A results folder as `pnpm scenario --out` writes it, reduced to what the report reads.
function resultsFolder(name: string, summary: object | undefined): string {
  const dir = join(base, name);
  const ar = join(dir, 'allure-results');
  mkdirSync(ar, { recursive: true });
  const steps = [
    { name: 'engine ready', status: 'passed', steps: [] },
    { name: 'timeline.svg', attachments: [{ name: 'timeline.svg', source: 'b-attachment.svg', type: 'image/svg+xml' }] },
  ];
  if (summary) {
    steps.push({ name: 'summary.json', attachments: [{ name: 'summary.json', source: 's-attachment.json', type: 'application/json' }] });
    writeFileSync(join(ar, 's-attachment.json'), JSON.stringify(summary));
  }
  writeFileSync(join(ar, 'a-result.json'), JSON.stringify({ name: 'kill9', status: 'broken', steps }));
  writeFileSync(join(ar, 'b-attachment.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>');
  writeFileSync(join(ar, 'categories.json'), '[]');
  return dir;
}

const usageError = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(isHiltError(e, 'USAGE')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('results folders', () => {
  const one = resultsFolder('one', {
    scenario: 'kill9',
    verdict: 'fail',
    checks: [{ id: 'no-orphans', verdict: 'fail', message: 'left' }],
  });
  const two = resultsFolder('nested/two', undefined);
  mkdirSync(join(base, 'empty', 'allure-results'), { recursive: true });

  it('finds every folder with results, at depth, never inside the report', () => {
    expect(findResultsFolders(base)).toEqual([join(base, 'nested', 'two'), one]);
    expect(findResultsFolders(base, [join(base, 'nested')])).toEqual([one]);
  });

  it('refuses a folder that does not exist or holds no results, saying what it saw', () => {
    expect(usageError(() => requireResultsFolders([join(base, 'nope')]))).toMatch(/no results in .*nope[\s\S]*does not exist/);
    expect(usageError(() => requireResultsFolders([join(base, 'empty')]))).toMatch(/allure-results\/ holds no \*-result.json/);
    expect(usageError(() => requireResultsFolders([base]))).toMatch(/no allure-results\/ \(it holds: .*one/);
    expect(requireResultsFolders([one, join(one, 'allure-results')])).toEqual([one, join(one, 'allure-results')]);
  });

  it('reads each result with its attachments and its own summary.json', () => {
    const [r] = readRuns(one);
    expect(r!.result.name).toBe('kill9');
    expect(r!.attachments.map((a) => [a.name, a.stepPath])).toEqual([
      ['timeline.svg', ['timeline.svg']],
      ['summary.json', ['summary.json']],
    ]);
    expect(r!.summary?.checks[0]?.message).toBe('left');
    expect(readRuns(two)[0]!.summary).toBeUndefined();
  });

  it("falls back to the folder's summary.json when it is that scenario's", () => {
    writeFileSync(join(two, 'summary.json'), JSON.stringify({ scenario: 'kill9', verdict: 'pass', checks: [] }));
    expect(readRuns(two)[0]!.summary?.verdict).toBe('pass');
    writeFileSync(join(two, 'summary.json'), JSON.stringify({ scenario: 'crash', verdict: 'pass', checks: [] }));
    expect(readRuns(two)[0]!.summary).toBeUndefined();
  });
});

describe('readSummary', () => {
  it('reads any schema version leniently, and refuses what is not a summary', () => {
    const s = readSummary(
      JSON.stringify({ schemaVersion: 2, verdict: 'flaky', checks: [{ id: 'x' }], metrics: { a: 1, b: 'no' }, facts: { f: 3 } }),
    );
    expect(s).toMatchObject({ verdict: 'flaky', checks: [{ id: 'x', verdict: '?' }], metrics: { a: 1 }, facts: { f: '3' } });
    expect(readSummary('{"verdict":"pass"}')).toBeUndefined();
    expect(readSummary('not json')).toBeUndefined();
  });
});

describe('attachmentsOf', () => {
  it('walks nested steps and keeps only the file name of a source', () => {
    const found = attachmentsOf(
      {
        steps: [
          { name: 'rep 1', steps: [{ name: 'x', attachments: [{ name: 'a.wav', source: '../../etc/a-attachment', type: 'audio/wav' }] }] },
        ],
      },
      '/r',
    );
    expect(found).toEqual([
      { name: 'a.wav', source: '../../etc/a-attachment', type: 'audio/wav', file: '/r/a-attachment', stepPath: ['rep 1', 'x'] },
    ]);
  });
});

describe('fileNameFor', () => {
  it('keeps the name, makes it safe and unique, adds the extension a picture or a sound needs', () => {
    const taken = new Set<string>();
    expect(fileNameFor('around-fault.wav', 'audio/wav', taken)).toBe('around-fault.wav');
    expect(fileNameFor('around-fault.wav', 'audio/wav', taken)).toBe('around-fault-2.wav');
    expect(fileNameFor('clip', 'audio/wav', taken)).toBe('clip.wav');
    expect(fileNameFor('engine.log', 'text/plain', taken)).toBe('engine.log');
    expect(fileNameFor('notes', 'text/plain', taken)).toBe('notes.txt');
    expect(fileNameFor('../a b/é.svg', 'image/svg+xml', taken)).toBe('_a_b_.svg');
    expect(fileNameFor('', undefined, taken)).toBe('attachment');
  });
});
