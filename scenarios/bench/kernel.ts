// Figures for the kernel stop (issue 5): stop call latency over many start/stop cycles with
// idle clients, and how long the watchdog takes from a missed soft deadline to stacks in hand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '../../harness/report/summary.ts';
import { ms, quantile, say, stats } from '../../harness/report/figures.ts';

type RunScenario = (args: string[]) => Promise<Summary & { out?: string }>;

export async function kernelFigures(runs: number, cycles: number, scenario: RunScenario, outOf: (s: Summary) => string): Promise<void> {
  const stops: number[] = [];
  const exits: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = await scenario(['kernel-cycles', '--set', `cycles=${cycles}`]);
    const table = s.evidence.find((e) => e.name === 'cycles');
    if (table)
      for (const c of JSON.parse(readFileSync(join(outOf(s), table.path), 'utf8')) as { stopMs?: number }[])
        if (c.stopMs !== undefined) stops.push(c.stopMs);
    if (s.metrics.exit_ms !== undefined) exits.push(s.metrics.exit_ms);
  }
  say(`kernel stop call ("stop" to "kernel stopped", 4 channel threads, 1 idle client each; ${runs} x ${cycles} cycles)`);
  if (stops.length)
    say(
      `  stop latency                   p50 ${ms(quantile(stops, 0.5))}  p99 ${ms(quantile(stops, 0.99))}  ` +
        `max ${ms(Math.max(...stops))}  (n=${stops.length})`,
    );
  if (exits.length) say(`  last stop to process gone      ${stats(exits)}`);

  const toStacks: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = await scenario(['kernel-stop', '--bug', 'blocking-poll', '--set', 'stop_ms=500']);
    if (s.metrics.soft_deadline_to_stacks_ms !== undefined) toStacks.push(s.metrics.soft_deadline_to_stacks_ms);
  }
  say("watchdog on a hung stop (blocking-poll): soft deadline to every thread's stack in hand (gdb attach)");
  if (toStacks.length) say(`  soft deadline -> stacks        ${stats(toStacks)}`);
}
