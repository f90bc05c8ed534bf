// summary.json: the stable result of a run that scripts, CI and the gate read. Schema in README.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult } from '../check/check.ts';

export type Verdict = 'pass' | 'fail' | 'unavailable';

export interface EvidenceRef {
  name: string;
  kind: 'wav' | 'svg' | 'log' | 'json' | 'text';
  path: string; // relative to the summary's folder
}

export interface Summary {
  scenario: string;
  target: string;
  rig: string;
  seed: number;
  bugs: string[];
  verdict: Verdict;
  diagnosis: string;
  checks: CheckResult[];
  metrics: Record<string, number>;
  facts: Record<string, string>; // what happened, in words: which defence layer cleaned up, the exit
  phases: { name: string; ms: number; repetition: number }[];
  evidence: EvidenceRef[];
  runs: number;
  failures: number;
  startedAt: string;
  durationMs: number;
}

export const EXIT_CODES: Record<Verdict, number> = { pass: 0, fail: 1, unavailable: 77 };

export function writeSummary(dir: string, s: Summary): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'summary.json');
  writeFileSync(file, JSON.stringify(s, null, 2) + '\n');
  return file;
}

// The run's verdict: any failed check fails it; unavailable only when nothing could be judged.
export function overallVerdict(checks: CheckResult[], unavailable: boolean): Verdict {
  if (unavailable) return 'unavailable';
  return checks.some((c) => c.verdict === 'fail') || checks.length === 0 ? 'fail' : 'pass';
}
