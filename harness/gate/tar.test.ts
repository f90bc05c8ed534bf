import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTar, TarError, writeTar } from './tar.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('tar', () => {
  it('reads back what it writes, long names included', () => {
    const long = `${'runner-artifacts/'.repeat(7)}kill9-20261201/summary.json`;
    const files = [
      { name: 'a/summary.json', data: enc.encode('{"a":1}') },
      { name: 'b/empty.txt', data: new Uint8Array(0) },
      { name: long, data: enc.encode('x'.repeat(1500)) },
    ];
    const back = readTar(writeTar(files));
    expect(back.map((f) => f.name)).toEqual(files.map((f) => f.name));
    expect(dec.decode(back[0]!.data)).toBe('{"a":1}');
    expect(back[2]!.data.length).toBe(1500);
    expect(readTar(writeTar(files), (n) => n.endsWith('summary.json')).map((f) => f.name)).toEqual(['a/summary.json', long]);
  });

  it("reads GNU tar's own archives: folders, long names (ustar prefix and GNU 'L'), pax headers", () => {
    const dir = mkdtempSync(join(tmpdir(), 'hilt-tar-'));
    dirs.push(dir);
    const deep = join('r', 'x'.repeat(60), 'y'.repeat(60), 'z'.repeat(60));
    const longLeaf = `${'n'.repeat(120)}.json`;
    mkdirSync(join(dir, deep), { recursive: true });
    writeFileSync(join(dir, deep, 'summary.json'), '{"deep":true}');
    writeFileSync(join(dir, 'r', longLeaf), 'leaf');
    for (const format of ['gnu', 'pax']) {
      const tar = execFileSync('tar', ['-c', `--format=${format}`, '-C', dir, 'r']);
      const files = readTar(tar);
      expect(files.map((f) => f.name).sort(), format).toEqual([`r/${longLeaf}`, `${deep}/summary.json`].sort());
      expect(dec.decode(files.find((f) => f.name.endsWith('summary.json'))!.data)).toBe('{"deep":true}');
    }
    // ustar cannot hold the 120-character leaf: only the deep folder (its path split into prefix and name)
    const ustar = execFileSync('tar', ['-c', '--format=ustar', '-C', dir, deep]);
    expect(readTar(ustar).map((f) => f.name)).toEqual([`${deep}/summary.json`]);
  });

  it('refuses a corrupt or cut archive', () => {
    const tar = writeTar([{ name: 'summary.json', data: enc.encode('{}') }]);
    const bad = tar.slice();
    bad[10] = 0x41;
    expect(() => readTar(bad)).toThrow(/bad header checksum at byte 0/);
    expect(() => readTar(tar.slice(0, 512))).toThrow(TarError);
    expect(() => readTar(tar.slice(0, 600))).toThrow(/truncated/);
    expect(() => readTar(new Uint8Array(0))).toThrow(/truncated/);
  });
});
