// What one call of hilt costs, the whole process as a user's shell sees it: wall time, CPU (user +
// sys, its children included) and the peak memory of its largest process. Measured by python3's
// getrusage(RUSAGE_CHILDREN) around the call, the same figures GNU time prints.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { quantile, say, stats } from '../../harness/report/figures.ts';
import { takeServerSnapshot } from '../../harness/inventory/server.ts';
import { takeSnapshot } from '../../harness/inventory/snapshot.ts';
import { VirtualRig } from '../../harness/rig/virtual-rig.ts';
import { ROOT } from '../../harness/target/config.ts';
import { hiltArgv, newResultsDir } from '../../harness/cli/invoke.ts';

interface Cost {
  wallMs: number;
  cpuMs: number;
  peakMiB: number;
}

const MEASURE = `
import json, resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wallMs": (time.monotonic() - t) * 1000, "cpuMs": (r.ru_utime + r.ru_stime) * 1000, "peakMiB": r.ru_maxrss / 1024}))
`;

async function cost(argv: string[]): Promise<Cost> {
  const r = await execa('python3', ['-c', MEASURE, ...argv], { cwd: ROOT });
  return JSON.parse(r.stdout) as Cost;
}

async function row(label: string, argv: () => string[], runs: number, target: string): Promise<void> {
  const xs: Cost[] = [];
  for (let i = 0; i < runs; i++) xs.push(await cost(argv()));
  const p50 = (k: keyof Cost) =>
    quantile(
      xs.map((x) => x[k]),
      0.5,
    );
  say(
    `  ${label.padEnd(28)} wall ${(p50('wallMs') / 1000).toFixed(2)} s  cpu ${(p50('cpuMs') / 1000).toFixed(2)} s  ` +
      `peak ${p50('peakMiB').toFixed(0)} MiB  (median of ${runs})   target: ${target}`,
  );
}

export async function costFigures(runs: number): Promise<void> {
  const node = process.execPath;
  await cost([node, ...hiltArgv('scenario', ['--list'])]); // compiles first if a source changed
  say(`what a call costs (the whole process, children included)`);
  await row('node itself (node -e 0)', () => [node, '-e', '0'], runs, 'none: the floor');
  await row('pnpm scenario --list', () => [node, ...hiltArgv('scenario', ['--list'])], runs, '<= 0.15 s, <= 60 MiB');
  await row(
    'pnpm scenario kill9',
    () => [node, ...hiltArgv('scenario', ['kill9', '--out', newResultsDir('bench', 'cost')])],
    runs,
    '<= 1.5 s wall, <= 1.5 s cpu, <= 150 MiB',
  );
}

// One inventory snapshot of the server, as the fault flows take several per run: the prefix one
// (the reference engine's) and the whole-server one (a black box's), on a rig with a victim playing;
// each through the rig's hilt-inventory and through the two tools it replaces, taken in turn.
export async function inventoryFigures(runs: number): Promise<void> {
  const rig = await VirtualRig.start({ healthCheck: false });
  try {
    const victim = rig.playTone('hilt-bench-victim', rig.capture.frequencyHz, 0.3);
    const took = { prefix: [] as number[], server: [] as number[], prefixTools: [] as number[], serverTools: [] as number[] };
    let objects = 0;
    for (let i = 0; i < runs; i++) {
      took.prefix.push((await rig.inventory('hilt-engine')).tookMs);
      took.prefixTools.push((await takeSnapshot('hilt-engine', rig.env)).tookMs);
      const s = await rig.serverInventory();
      took.server.push(s.tookMs);
      took.serverTools.push((await takeServerSnapshot(rig.env)).tookMs);
      objects = s.objects.length;
    }
    await victim.stop();
    // Without the helper built the rig's own snapshots are the tools' too: its note says so.
    const how = rig.notes.find((n) => n.startsWith('hilt-inventory')) ?? 'hilt-inventory, one request on its open connections';
    say(`an inventory snapshot (a victim playing; ${objects} objects on the server); target: p50 <= 20 ms`);
    say(`  rig's snapshots: ${how}`);
    say(`  by prefix, hilt-inventory (+ /proc)         ${stats(took.prefix)}`);
    say(`  whole server, hilt-inventory                ${stats(took.server)}`);
    say(`  by prefix, pactl + pw-dump (+ /proc)        ${stats(took.prefixTools)}`);
    say(`  whole server, pactl + pw-dump               ${stats(took.serverTools)}`);
  } finally {
    await rig.stop();
  }
}

// `pnpm test` as a developer runs it: the whole suite, its wall time next to the target.
export async function suiteFigures(): Promise<void> {
  const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
  const c = await cost([process.execPath, vitest, 'run', '--project', 'unit', '--project', 'suite']);
  say(`the test suite (pnpm test, files side by side on ${availableParallelism()} cores)`);
  say(`  wall ${(c.wallMs / 1000).toFixed(0)} s  cpu ${(c.cpuMs / 1000).toFixed(0)} s   target: <= 240 s`);
}
