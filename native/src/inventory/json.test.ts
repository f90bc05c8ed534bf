// hilt-inventory's JSON text, held to JSON.parse: every string back as it went in (quotes,
// backslashes, control characters, UTF-8), and each property typed as pw-dump types it (booleans,
// integers and finite floats as JSON values, the rest as strings), so the parsers read one shape.
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../build/Release/hilt-inventory-json');

function encode(values: string[]): { string: unknown; typed: unknown }[] {
  const out = execFileSync(BIN, values, { encoding: 'utf8' });
  return out
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { string: unknown; typed: unknown });
}

describe('hilt-inventory JSON text (built by pnpm build:native)', () => {
  it('escapes every string so that JSON.parse gives it back', () => {
    const tricky = ['plain', 'a "quoted" name', 'back\\slash', 'tab\there', 'two\nlines', 'bell\u0007 nul-free \u001f', 'é ü 音', ''];
    expect(encode(tricky).map((r) => r.string)).toEqual(tricky);
  });

  it('types a property as pw-dump does: true/false, integers and finite floats as values, the rest as strings', () => {
    const values = ['true', 'false', '42', '-7', '0', '1.5', '1e3', 'True', 'inf', 'nan', '12ab', 'hilt-engine-42', '', 'null'];
    expect(encode(values).map((r) => r.typed)).toEqual([
      true,
      false,
      42,
      -7,
      0,
      1.5,
      1000,
      'True',
      'inf',
      'nan',
      '12ab',
      'hilt-engine-42',
      '',
      'null',
    ]);
  });

  it('keeps the pid and id properties parse-server reads as numbers', () => {
    const [pid, id] = encode(['13854', '30']);
    expect([pid!.typed, id!.typed]).toEqual([13854, 30]);
  });
});
