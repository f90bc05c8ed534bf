// The gate's bench figure: the gate over 10 runners' results (4 folders, 3 .zip, 3 .tar.gz; per runner
// 8 summary.json files among evidence-sized files), median of 5 passes. Everything it writes goes to
// one temp dir that is removed whatever happens.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { CATALOGUE, summaryText } from './fixtures.ts';
import { gate } from './gate.ts';
import { writeTar } from './tar.ts';

const SCENARIOS = ['kill9', 'crash', 'sigterm', 'stop'];
const PROOFS: Record<string, string[]> = {
  kill9: ['no-guardian', 'no-sweep'],
  crash: ['no-crashguard'],
  sigterm: ['no-signal-handlers'],
  stop: ['no-signal-handlers'],
};
const EVIDENCE = new Uint8Array(256 * 1024).map((_, i) => (i * 7919) % 251); // a WAV snippet's size, not squeezed to nothing

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

function writeRunner(dir: string, i: number): void {
  for (const s of SCENARIOS) {
    for (const bugs of [[], PROOFS[s]!]) {
      const out = join(dir, 'reports/out', `runner-${i}`, bugs.length ? `${s}-bug` : s);
      mkdirSync(out, { recursive: true });
      const seed = i * 100 + SCENARIOS.indexOf(s) * 2 + (bugs.length ? 1 : 0);
      writeFileSync(join(out, 'summary.json'), summaryText({ scenario: s, bugs, runs: 20, failures: bugs.length ? 20 : 0, seed }));
      writeFileSync(join(out, 'after-kill.wav'), EVIDENCE);
    }
  }
}

export async function gateBench(runners = 10): Promise<{ ms: number; runners: number; results: number }> {
  const base = mkdtempSync(join(tmpdir(), 'hilt-gate-bench-'));
  try {
    const sources: string[] = [];
    for (let i = 0; i < runners; i++) {
      const dir = join(base, `runner-${i}`);
      writeRunner(dir, i);
      const kind = i % 10 < 4 ? 'folder' : i % 10 < 7 ? 'zip' : 'tar.gz';
      if (kind === 'folder') {
        sources.push(dir);
        continue;
      }
      const entries = files(dir).map((f) => ({ name: relative(dir, f), data: new Uint8Array(readFileSync(f)) }));
      const archive = join(base, `runner-${i}.${kind}`);
      writeFileSync(
        archive,
        kind === 'zip' ? zipSync(Object.fromEntries(entries.map((e) => [e.name, e.data]))) : gzipSync(writeTar(entries)),
      );
      rmSync(dir, { recursive: true });
      sources.push(archive);
    }
    const policyFile = join(base, 'policy.json');
    writeFileSync(
      policyFile,
      JSON.stringify({
        requirements: SCENARIOS.map((scenario) => ({
          scenario,
          platform: 'linux',
          rig: 'virtual',
          minRepetitions: 20,
          maxFailureRate: 0.05,
        })),
        bugSwitchProofs: SCENARIOS.map((scenario) => ({ scenario, bug: PROOFS[scenario]!.join(',') })),
      }),
    );
    const times: number[] = [];
    let results = 0;
    for (let pass = 0; pass < 5; pass++) {
      const t0 = performance.now();
      const report = gate({ policyFile, sources, catalogue: CATALOGUE });
      times.push(performance.now() - t0);
      if (report.verdict !== 'ship') throw new Error(`gate bench: expected ship, got ${report.failed.join('; ')}`);
      results = report.results;
    }
    return { ms: times.sort((a, b) => a - b)[2]!, runners, results };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
