import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { isHiltError } from '../errors.ts';
import { summaryFixture, summaryText } from './fixtures.ts';
import { parseSummary, readResults } from './results.ts';
import { writeTar } from './tar.ts';

const base = mkdtempSync(join(tmpdir(), 'hilt-gate-results-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const enc = new TextEncoder();

function put(rel: string, text: string): string {
  const file = join(base, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(isHiltError(e, 'GATE_INPUT')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected the results to be refused');
};

describe('reading results', () => {
  it('finds every summary.json at any depth of a folder', () => {
    put('runner-a/kill9-1/summary.json', summaryText({ runs: 10 }));
    put('runner-a/artifacts/deep/crash-2/summary.json', summaryText({ scenario: 'crash' }));
    put('runner-a/artifacts/deep/crash-2/inventory.json', '{}');
    const set = readResults([join(base, 'runner-a')]);
    expect(set.results.map((r) => [r.scenario, r.runs]).sort()).toEqual([
      ['crash', 1],
      ['kill9', 10],
    ]);
    expect(set.sources).toEqual([{ path: join(base, 'runner-a'), kind: 'folder', results: 2 }]);
    expect(set.results[0]!.file.startsWith(join(base, 'runner-a'))).toBe(true);
  });

  it('reads .zip and .tar.gz archives in memory, and a summary.json given alone', () => {
    const zip = join(base, 'runner-b.zip');
    writeFileSync(
      zip,
      zipSync({
        'out/kill9/summary.json': enc.encode(summaryText({ os: 'darwin', rig: 'system' })),
        'out/kill9/timeline.svg': enc.encode('<svg/>'),
        'summary.json': enc.encode(summaryText({ scenario: 'stop' })),
      }),
    );
    const tgz = join(base, 'runner-c.tar.gz');
    writeFileSync(
      tgz,
      gzipSync(writeTar([{ name: 'results/sigterm/summary.json', data: enc.encode(summaryText({ scenario: 'sigterm' })) }])),
    );
    const alone = put('alone/summary.json', summaryText({ scenario: 'crash', bugs: ['no-crashguard'], failures: 1 }));
    const set = readResults([zip, tgz, alone]);
    expect(set.sources.map((s) => [s.kind, s.results])).toEqual([
      ['zip', 2],
      ['tar.gz', 1],
      ['file', 1],
    ]);
    expect(set.results.map((r) => r.file)).toEqual([
      `${zip}:out/kill9/summary.json`,
      `${zip}:summary.json`,
      `${tgz}:results/sigterm/summary.json`,
      alone,
    ]);
    expect(set.results[0]).toMatchObject({ os: 'darwin', rig: 'system', scenario: 'kill9', verdict: 'pass' });
    expect(set.results[3]).toMatchObject({ bugs: ['no-crashguard'], verdict: 'fail', failures: 1, runs: 1 });
  });

  it('counts the same run once when it is met twice (a folder given twice, a folder and its zip)', () => {
    put('twice/kill9/summary.json', summaryText({ runs: 5, seed: 7 }));
    put('twice/kill9-again/summary.json', summaryText({ runs: 5, seed: 8 }));
    const zip = join(base, 'twice.zip');
    writeFileSync(zip, zipSync({ 'kill9/summary.json': enc.encode(summaryText({ runs: 5, seed: 7 })) }));
    const set = readResults([join(base, 'twice'), join(base, 'twice'), zip]);
    expect(set.results.map((r) => r.runs)).toEqual([5, 5]);
    expect(set.duplicates).toHaveLength(3);
    expect(set.duplicates[2]).toEqual({ file: `${zip}:kill9/summary.json`, sameAs: join(base, 'twice/kill9/summary.json') });
  });

  it('refuses a summary.json of an older hilt, naming it and saying to rerun', () => {
    const { schemaVersion: _, ...old } = summaryFixture();
    const file = put('old/kill9/summary.json', JSON.stringify(old));
    expect(refusal(() => readResults([join(base, 'old')]))).toMatch(
      new RegExp(
        `${file}: written by an older hilt \\(no schemaVersion\\), the gate reads schemaVersion 2: rerun the scenario with this hilt`,
      ),
    );
    expect(parseSummary(JSON.stringify({ ...old, schemaVersion: 3 }), 'f', 's')).toEqual([
      'f: written by schemaVersion 3, the gate reads schemaVersion 2: rerun the scenario with this hilt',
    ]);
  });

  it('refuses corrupt results, listing every one', () => {
    put('bad/a/summary.json', '{"schemaVersion": 2, "scen');
    put('bad/b/summary.json', JSON.stringify({ ...summaryFixture(), verdict: 'maybe', platform: undefined }));
    put('bad/c/summary.json', JSON.stringify({ ...summaryFixture({ runs: 3 }), failures: 5 }));
    const m = refusal(() => readResults([join(base, 'bad')]));
    expect(m).toMatch(/results the gate cannot use \(5\)/);
    expect(m).toMatch(/a\/summary\.json: not valid JSON .*take it again from the runner/);
    expect(m).toMatch(/b\/summary\.json: platform: expected an object \{os, kernel, arch, cpus\}, seen nothing/);
    expect(m).toMatch(/b\/summary\.json: verdict: expected "pass", "flaky", "fail" or "unavailable", seen "maybe"/);
    expect(m).toMatch(/c\/summary\.json: failures: expected at most runs \(3\), seen 5/);
    expect(m).toMatch(/c\/summary\.json: failureRate: expected the same counts as failures and runs \(5 of 3\)/);
    expect(m).toMatch(/to fix: .*rerun the scenarios named above with this hilt/);
  });

  it('refuses a missing source, a source with no result, and a corrupt archive', () => {
    expect(refusal(() => readResults([join(base, 'nope')]))).toMatch(/results .*nope: cannot be read \(ENOENT\)/);
    mkdirSync(join(base, 'empty/logs'), { recursive: true });
    expect(refusal(() => readResults([join(base, 'empty')]))).toMatch(/empty: no summary\.json in it/);
    const cut = join(base, 'cut.zip');
    writeFileSync(cut, zipSync({ 'summary.json': enc.encode(summaryText()) }).slice(0, 40));
    expect(refusal(() => readResults([cut]))).toMatch(/cut\.zip: is not a readable zip archive .*to fix: +take the archive again/s);
    const tgz = join(base, 'cut.tar.gz');
    writeFileSync(tgz, gzipSync(writeTar([{ name: 'summary.json', data: enc.encode(summaryText()) }])).slice(0, 30));
    expect(refusal(() => readResults([tgz]))).toMatch(/cut\.tar\.gz: is not a readable \.tar\.gz archive/);
    const other = put('notes.txt', 'hello');
    expect(refusal(() => readResults([other]))).toMatch(/notes\.txt: is neither a folder, a \.zip, a \.tar\.gz nor a \.json file/);
  });
});
