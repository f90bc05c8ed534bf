// Results as runners write them, made from the Summary type (harness/report/summary.ts): for the
// gate's unit tests and its bench. A change to summary.json's shape fails to compile here first.
import { clopperPearsonUpper } from '../report/stats.ts';
import { SUMMARY_SCHEMA_VERSION, type Summary } from '../report/summary.ts';

// A slice of the scenario catalogue (harness/ never imports scenarios/manifest.ts).
export const CATALOGUE = [
  { name: 'kill9', bugs: ['no-guardian,no-sweep'] },
  { name: 'crash', bugs: ['no-crashguard', 'destroy-before-untrack'] },
  { name: 'sigterm', bugs: ['no-signal-handlers'] },
  { name: 'stop', bugs: ['no-signal-handlers'] },
];

export interface FixtureOptions {
  scenario?: string;
  os?: string;
  rig?: 'virtual' | 'system';
  target?: string;
  bugs?: string[];
  runs?: number;
  failures?: number;
  unavailable?: boolean;
  hiltVersion?: string;
  diagnosis?: string;
  died?: string; // a crash's facts.died
  seed?: number; // also tells runs apart: the gate counts the same run (seed, start, platform...) once
}

export function summaryFixture(o: FixtureOptions = {}): Summary {
  const runs = o.runs ?? 1;
  const failures = o.unavailable ? 0 : (o.failures ?? 0);
  const verdict: Summary['verdict'] = o.unavailable ? 'unavailable' : failures === 0 ? 'pass' : failures === runs ? 'fail' : 'flaky';
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    hiltVersion: o.hiltVersion ?? '0.1.0',
    platform: { os: o.os ?? 'linux', kernel: '6.1.0', arch: 'x64', cpus: 2, audioServer: { name: 'PipeWire', version: '0.3.65' } },
    scenario: o.scenario ?? 'kill9',
    target: o.target ?? 'hilt-engine',
    rig: o.rig ?? 'virtual',
    seed: o.seed ?? 1,
    bugs: o.bugs ?? [],
    verdict,
    diagnosis:
      o.diagnosis ?? (verdict === 'pass' ? 'all checks passed' : verdict === 'unavailable' ? 'rig missing: pipewire' : 'orphan taps'),
    checks: [],
    metrics: {},
    metricStats: {},
    facts: o.died ? { died: o.died } : {},
    phases: [],
    evidence: [],
    runs,
    failures,
    failureRate: { failed: failures, runs, upperBound95: clopperPearsonUpper(failures, runs) },
    repetitions: Array.from({ length: runs }, (_, i) => ({
      repetition: i + 1,
      seed: i + 1,
      verdict: i < failures ? ('fail' as const) : ('pass' as const),
      durationMs: 6000,
      failedChecks: i < failures ? ['taps-gone'] : [],
    })),
    startedAt: '2026-12-01T10:00:00.000Z',
    durationMs: 6000 * runs,
  };
}

export const summaryText = (o: FixtureOptions = {}): string => `${JSON.stringify(summaryFixture(o), null, 2)}\n`;
