// Repetitions and several scenarios in one call, through the real CLI: the figures a release is
// judged by (k of N with its bound), each run's seed and its replay, and the combined results.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Summary } from '../harness/report/summary.ts';
import { newOutDir, runCli } from './run-cli.ts';

describe('repetitions', () => {
  test('a bug switch with --repeat 2 says fail, 2 of 2, each run with its seed; --only-repetition replays run 2 alone', async () => {
    const r = await runCli(['kill9', '--bug', 'no-guardian,no-sweep', '--repeat', '2', '--seed', '11']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const s = r.summary!;
    expect(s.schemaVersion).toBe(2);
    expect(s.verdict).toBe('fail');
    expect(s.failureRate).toEqual({ failed: 2, runs: 2, upperBound95: 1 });
    expect(r.stdout).toContain('runs:      2 of 2 caught (detection rate above 22.4% at 95%)');
    expect(r.stdout).toMatch(/time: +a run takes fail p50 [\d.]+ s \(2\); a failed run's longest phases \(p50\): .*audio resumes/);
    expect(s.detectionRate).toEqual({ caught: 2, runs: 2, lowerBound95: expect.closeTo(0.2236, 4) });
    expect(r.stderr).toMatch(/hilt: run 1\/2 FAIL [\d.]+ s \(seed 11\): orphan taps/);
    const [one, two] = s.repetitions;
    expect(one!.seed).toBe(11);
    expect(two!.seed).not.toBe(11);
    expect(s.diagnosis).toMatch(/^2 of 2 runs failed; the first, run 1 \(replay: --seed 11 --only-repetition 1\): orphan taps/);
    expect(s.platform.audioServer).toEqual({ name: 'PipeWire', version: expect.stringMatching(/^\d+\.\d+/) });

    const junit = readFileSync(join(r.out, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(2);
    expect(junit).toContain(`<property name="seed" value="${two!.seed}"/>`);
    expect(junit).toContain('<property name="bugs" value="no-guardian,no-sweep"/>');
    expect(readFileSync(join(r.out, 'summary.md'), 'utf8')).toContain('| **FAIL** | 2 of 2 caught (detection rate above 22.4% at 95%)');

    const replay = await runCli(['kill9', '--bug', 'no-guardian,no-sweep', '--seed', '11', '--only-repetition', '2']);
    expect(replay.summary!.repetitions.map((x) => [x.repetition, x.seed])).toEqual([[2, two!.seed]]);
    expect(replay.summary!.verdict).toBe('fail');
  });
});

describe('several scenarios in one call', () => {
  test('kill9 and sigterm: each in its folder, one junit.xml, summary.md and index.json for both', async () => {
    const r = await runCli(['kill9', 'sigterm']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const index = JSON.parse(readFileSync(join(r.out, 'index.json'), 'utf8')) as { runs: { scenario: string; summary: string }[] };
    expect(index.runs.map((x) => x.scenario)).toEqual(['kill9', 'sigterm']);
    for (const x of index.runs) {
      const s = JSON.parse(readFileSync(join(r.out, x.summary), 'utf8')) as Summary;
      expect(s.verdict).toBe('pass');
    }
    expect(readFileSync(join(r.out, 'junit.xml'), 'utf8').match(/<testsuite /g)).toHaveLength(2);
    const md = readFileSync(join(r.out, 'summary.md'), 'utf8');
    expect(md).toMatch(/\| kill9 \|.*\| pass \|/);
    expect(md).toMatch(/\| sigterm \|.*\| pass \|/);
    expect(existsSync(join(r.out, 'allure-results', 'categories.json'))).toBe(true);
    expect(r.stdout).toMatch(/hilt: 2 scenarios ->/);
  });
});

describe('unavailable', () => {
  test('the reason is kept: in the Allure result (skipped, with its message) and in JUnit', async () => {
    const dir = newOutDir('unavailable');
    const config = join(dir, 'nosuch.json');
    writeFileSync(config, JSON.stringify({ name: 'nosuch', command: ['no-such-program-x'], prefix: 'nosuch', ready: { stream: true } }));
    const r = await runCli(['kill9', '--target', config, '--out', join(dir, 'out')]);
    expect(r.exitCode).toBe(77);
    const results = join(dir, 'out', 'allure-results');
    const [file] = readdirSync(results).filter((f) => f.endsWith('-result.json'));
    const result = JSON.parse(readFileSync(join(results, file!), 'utf8')) as { status: string; statusDetails: { message: string } };
    expect(result.status).toBe('skipped');
    expect(result.statusDetails.message).toMatch(/^unavailable: nosuch cannot start: "no-such-program-x" is not on PATH/);
    expect(readFileSync(join(dir, 'out', 'junit.xml'), 'utf8')).toMatch(/<skipped message="nosuch cannot start/);
  });
});
