import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../check/check.ts';
import { renderSummary } from './console.ts';
import type { Summary } from './summary.ts';

const summary = (over: Partial<Summary>): Summary => ({
  schemaVersion: 2,
  hiltVersion: '0.0.0',
  platform: { os: 'linux', kernel: '6.1', arch: 'x64', cpus: 2 },
  metricStats: {},
  failureRate: { failed: 0, runs: 1, upperBound95: 0.95 },
  repetitions: [],
  scenario: 'kill-orphan',
  target: 'hilt-engine',
  rig: 'virtual',
  seed: 1234,
  bugs: [],
  verdict: 'pass',
  diagnosis: 'all checks passed',
  checks: [],
  metrics: {},
  facts: {},
  phases: [],
  evidence: [],
  runs: 1,
  failures: 0,
  startedAt: '2025-01-01T00:00:00.000Z',
  durationMs: 2345,
  ...over,
});

const check = (over: Partial<CheckResult>): CheckResult => ({
  id: 'check',
  name: 'check',
  verdict: 'pass',
  measured: null,
  limit: null,
  unit: '',
  message: 'fine',
  ...over,
});

describe('renderSummary: a failing run', () => {
  const s = summary({
    verdict: 'fail',
    bugs: ['no-sweep'],
    failures: 1,
    runs: 1,
    diagnosis: 'the tap of the killed engine stayed on the server\nrun the reaper',
    checks: [
      check({
        id: 'ready',
        name: 'ready',
        verdict: 'pass',
        measured: 12.3,
        limit: 3000,
        unit: 'ms',
        message: 'ready: 12 ms (limit 3000 ms)',
      }),
      check({
        id: 'orphans-gone',
        subject: 'pid-6381',
        name: 'no-orphans',
        verdict: 'fail',
        measured: 2,
        limit: 0,
        unit: 'objects',
        message: '2 orphan(s) of pid 6381 remain after the sweep: pulse-sink hilt-engine-6381\nsecond line',
      }),
      check({
        id: 'victim-heard',
        subject: 'tone-440',
        name: 'audio',
        verdict: 'fail',
        message: 'hilt could not look: the capture never started',
      }),
    ],
    evidence: [{ name: 'capture', kind: 'wav', path: 'capture.wav' }],
  });
  const text = renderSummary(s, 'reports/out/run1');
  const lines = text.split('\n');

  it('heads with the scenario, the verdict and the run parameters', () => {
    expect(lines[0]).toBe(
      'hilt kill-orphan: FAIL   target hilt-engine, rig virtual, seed 1234, bug switches no-sweep, 1 run(s), 1 failed, 2.3 s',
    );
  });

  it('shows a FAIL line with measured vs limit, followed by the check message', () => {
    const i = lines.findIndex((l) => l.includes('FAIL no-orphans'));
    expect(i).toBeGreaterThan(0);
    expect(lines[i]).toBe('  FAIL no-orphans  [2 objects vs 0 objects]');
    expect(lines[i + 1]).toBe('       2 orphan(s) of pid 6381 remain after the sweep: pulse-sink hilt-engine-6381');
    expect(lines[i + 2]).toBe('       second line');
  });

  it('shows passing checks with an ok mark and no message', () => {
    expect(lines).toContain('  ok   ready       [12.3 ms vs 3000 ms]');
    expect(text).not.toContain('ready: 12 ms (limit 3000 ms)');
  });

  it('shows a check that could not look as FAIL with its message, without a measurement', () => {
    const i = lines.findIndex((l) => l.trimEnd() === '  FAIL audio');
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 1]).toBe('       hilt could not look: the capture never started');
  });

  it('prints names, never ids or subjects', () => {
    for (const hidden of ['victim-heard', 'tone-440', 'orphans-gone', 'pid-6381']) expect(text).not.toContain(hidden);
  });

  it('ends with the verdict, the indented diagnosis and the evidence', () => {
    expect(lines).toContain('verdict:   fail');
    expect(text).toContain('diagnosis: the tap of the killed engine stayed on the server\n           run the reaper');
    expect(lines.at(-1)).toBe('evidence:  reports/out/run1/  (summary.json, junit.xml, allure-results/, capture.wav)');
  });

  it('has no metrics line when there are none', () => {
    expect(text).not.toContain('metrics:');
  });
});

describe('renderSummary: a passing run', () => {
  const s = summary({
    checks: [
      check({ name: 'ready-time', measured: 4.5, limit: 3000, unit: 'ms', message: 'ready in 4 ms' }),
      check({ name: 'orphans', measured: 1, limit: '>= 1', unit: 'objects', message: 'the fault bit' }),
    ],
    metrics: { readyMs: 4.5, stopMs: 120, orphans: 1 },
  });
  const text = renderSummary(s, '/tmp/out');
  const lines = text.split('\n');

  it('heads with PASS and no bug switches', () => {
    expect(lines[0]).toBe('hilt kill-orphan: PASS   target hilt-engine, rig virtual, seed 1234, 1 run(s), 0 failed, 2.3 s');
  });

  it('marks every check ok, without FAIL or messages', () => {
    expect(lines).toContain('checks:');
    expect(lines).toContain('  ok   ready-time  [4.5 ms vs 3000 ms]');
    // a string limit carries no unit
    expect(lines).toContain('  ok   orphans     [1 objects vs >= 1]');
    expect(text).not.toContain('FAIL');
    expect(text).not.toContain('ready in 4 ms');
    expect(text).not.toContain('the fault bit');
  });

  it('shows the metrics', () => {
    expect(lines).toContain('metrics: readyMs=4.5  stopMs=120  orphans=1');
  });

  it('ends with the pass verdict and the diagnosis', () => {
    expect(lines).toContain('verdict:   pass');
    expect(lines).toContain('diagnosis: all checks passed');
    expect(lines.at(-1)).toBe('evidence:  /tmp/out/  (summary.json, junit.xml, allure-results/)');
  });

  it('has no checks section when there are no checks', () => {
    const t = renderSummary(summary({ verdict: 'unavailable', diagnosis: 'rig missing' }), 'o');
    expect(t).not.toContain('checks:');
    expect(t).toMatch(/^hilt kill-orphan: UNAVAILABLE /);
    expect(t).toContain('verdict:   unavailable');
  });
});

describe('renderSummary: many runs', () => {
  const rep = (n: number, failed: boolean) => ({
    repetition: n,
    seed: 1000 + n,
    verdict: failed ? ('fail' as const) : ('pass' as const),
    durationMs: 1100,
    failedChecks: failed ? ['no-orphans'] : [],
    ...(failed && { diagnosis: `orphan pulse-sink app-${n}` }),
  });
  const s = summary({
    verdict: 'flaky',
    runs: 3,
    failures: 1,
    failureRate: { failed: 1, runs: 3, upperBound95: 0.8647 },
    checks: [1, 2, 3].flatMap((n) => [
      check({ id: 'exit', name: `exit is SIGKILL [run ${n}]` }),
      check({ id: 'no-orphans', name: `no orphans [run ${n}]`, verdict: n === 2 ? 'fail' : 'pass' }),
    ]),
    repetitions: [rep(1, false), rep(2, true), rep(3, false)],
    metricStats: { exit_ms: { p50: 5, p95: 9, max: 9, n: 3 } },
  });
  const text = renderSummary(s, 'out');

  it('lists each check once with the runs it failed in, and each failed run with its seed', () => {
    expect(text).toContain('  ok   exit is SIGKILL  passed in every run');
    expect(text).toMatch(/ {2}FAIL no orphans +failed in 1 run\(s\)/);
    expect(text).toContain('  run 2 (seed 1002): orphan pulse-sink app-2');
    expect(text).not.toContain('[run 1]');
  });

  it('says k of N with the bound, and metrics as p50 / p95 / max', () => {
    expect(text).toContain('runs:      1 of 3 failed (failure rate at most 86.5% at 95%)');
    expect(text).toMatch(/exit_ms {2}5 \/ 9 \/ 9 {2}\(n=3\)/);
  });
});
