// summary.json: the stable result of a run that scripts, CI and the gate read. Schema in README.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult } from '../check/check.ts';
import { repeatedVerdict } from './stats.ts';

// The version of this file's shape; the gate refuses a summary of another.
export const SUMMARY_SCHEMA_VERSION = 2;

// flaky: some repetitions failed, not all (0 < k < N); fail: every one did (k = N), or N = 1 failed.
export type Verdict = 'pass' | 'flaky' | 'fail' | 'unavailable';

// Where the run ran: the gate matches a policy's platform and rig against these.
export interface PlatformInfo {
  os: string; // process.platform: linux, darwin, win32
  kernel: string; // os.release()
  arch: string;
  cpus: number;
  audioServer?: { name: string; version: string }; // "PipeWire", "0.3.65"
}

// k of N repetitions failed, and the exact (Clopper-Pearson) upper 95% bound on the failure rate.
export interface FailureRate {
  failed: number;
  runs: number;
  upperBound95: number; // a fraction: 0 of 300 gives 0.00994
}

export interface MetricStats {
  p50: number;
  p95: number;
  max: number;
  n: number;
}

// One repetition: its own seed (derived from the run's), so it can be replayed alone.
export interface RepetitionResult {
  repetition: number;
  seed: number;
  verdict: 'pass' | 'fail';
  durationMs: number;
  failedChecks: string[]; // check ids
  diagnosis?: string;
}

export interface EvidenceRef {
  name: string;
  kind: 'wav' | 'svg' | 'log' | 'json' | 'text';
  path: string; // relative to the summary's folder
}

export interface Summary {
  schemaVersion: typeof SUMMARY_SCHEMA_VERSION;
  hiltVersion: string; // package.json version
  platform: PlatformInfo;
  scenario: string;
  target: string;
  rig: string;
  seed: number;
  bugs: string[];
  verdict: Verdict;
  diagnosis: string;
  checks: CheckResult[];
  metrics: Record<string, number>; // the worst over the repetitions
  metricStats: Record<string, MetricStats>; // p50, p95 and max over the repetitions
  facts: Record<string, string>; // what happened, in words: which defence layer cleaned up, the exit
  phases: { name: string; ms: number; repetition: number }[];
  evidence: EvidenceRef[];
  runs: number;
  failures: number;
  failureRate: FailureRate;
  // Under a bug switch a failed run is the bug caught: k of N, and the exact lower 95% bound.
  detectionRate?: { caught: number; runs: number; lowerBound95: number };
  repetitions: RepetitionResult[];
  // Ctrl+C or SIGTERM ended the call early: the summary holds the repetitions that finished.
  interrupted?: { signal: 'SIGINT' | 'SIGTERM'; finished: number; planned: number };
  startedAt: string;
  durationMs: number;
}

export const EXIT_CODES: Record<Verdict, number> = { pass: 0, flaky: 1, fail: 1, unavailable: 77 };

export function writeSummary(dir: string, s: Summary): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'summary.json');
  writeFileSync(file, JSON.stringify(s, null, 2) + '\n');
  return file;
}

// The run's verdict: flaky when some repetitions failed and not all; fail when all did, or a
// check outside any repetition failed (the rig's set-up or teardown), or nothing was judged.
export function overallVerdict(checks: CheckResult[], unavailable: boolean, failed: number, runs: number): Verdict {
  if (unavailable) return 'unavailable';
  if (checks.length === 0 || runs === 0) return 'fail';
  const outside = checks.some((c) => c.verdict === 'fail') && failed === 0;
  return outside ? 'fail' : repeatedVerdict(failed, runs);
}
