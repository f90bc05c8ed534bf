// Figures for the engine addon (issue 4): create/start/collect cycles per second with audio
// streams, and each engine's teardown (stop requested to freed) from its own lifecycle lines;
// then how long each end of a runtime with live engines takes, from the scenarios' summaries.
import { join } from 'node:path';
import { execa } from 'execa';
import { OBSERVED_SINK, VirtualRig } from '../../harness/rig/virtual-rig.ts';
import { loadTargetSpec, ROOT } from '../../harness/target/config.ts';
import { parseLifecycle, teardownMs } from '../../harness/target/reference/lifecycle.ts';
import type { Summary } from '../../harness/report/summary.ts';
import { say, stats, stats99 } from '../../harness/report/figures.ts';

async function churn(
  rig: VirtualRig,
  count: number,
  addon: string,
  env: Record<string, string> = {},
): Promise<{ cps?: number; teardowns: number[] }> {
  const r = await execa(
    process.execPath,
    [
      '--expose-gc',
      join(ROOT, 'fixtures/programs/gc-churn.cjs'),
      '--count',
      String(count),
      '--batch',
      '5',
      '--output',
      OBSERVED_SINK,
      '--addon',
      addon,
    ],
    { env: { ...rig.env, ...env }, reject: false, all: true, timeout: 120_000 },
  );
  const done = /done cycles=(\d+) ms=([\d.]+)/.exec(r.all ?? '');
  if (r.exitCode !== 0 || !done) say(`  (gc-churn exited ${r.exitCode ?? r.signal}: ${(r.all ?? '').split('\n').slice(-3).join(' | ')})`);
  const teardowns = [...parseLifecycle(r.all ?? '').values()].map(teardownMs).filter((x): x is number => x !== undefined);
  return { cps: done ? (Number(done[1]) / Number(done[2])) * 1000 : undefined, teardowns };
}

export async function gcTeardownFigures(runs: number, count: number): Promise<void> {
  const rig = await VirtualRig.start({ healthCheck: false });
  try {
    for (const [label, addon, env] of [
      ['release build', join(ROOT, 'native/build/Release/hilt_engine.node'), {}],
      // The ASan target's own environment (preloaded libasan, its ASAN_OPTIONS): one place for both.
      [
        'ASan+UBSan build',
        join(ROOT, 'native/build-asan/Debug/hilt_engine.node'),
        loadTargetSpec(join(ROOT, 'fixtures/targets/addon-gc-asan.json'), { output: OBSERVED_SINK }).env,
      ],
    ] as const) {
      const cps: number[] = [];
      const teardowns: number[] = [];
      for (let i = 0; i < runs; i++) {
        const r = await churn(rig, count, addon, env);
        if (r.cps !== undefined) cps.push(r.cps);
        teardowns.push(...r.teardowns);
      }
      say(`gc-teardown, ${label}: ${runs} x ${count} engines created, started (audio streams + VM thread), dropped, collected`);
      say(`  cycles per second              ${cps.length ? cps.map((c) => c.toFixed(1)).join(', ') : 'none completed'}`);
      if (teardowns.length) say(`  teardown per engine            ${stats99(teardowns)}`);
    }
  } finally {
    await rig.stop();
  }
}

export async function endingFigures(runs: number, scenario: (args: string[]) => Promise<Summary>): Promise<void> {
  say('ends with engines running, "ending" to process (or worker) gone, worst of each run; 3 engines');
  for (const [name, how] of [
    ['exit-with-live-engines', 'normal'],
    ['exit-with-live-engines', 'exit'],
    ['exit-with-live-engines', 'throw'],
    ['worker-teardown', 'terminate'],
  ] as const) {
    const end: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = await scenario([name, '--set', `how=${how}`, '--set', 'core=off']);
      if (s.metrics.exit_ms !== undefined) end.push(s.metrics.exit_ms);
    }
    say(`  ${`${name} ${how}`.padEnd(32)} ${end.length ? stats(end) : 'never ended'}`);
  }
}
