// Figures for the Windows engine under Wine: start to ready cold and warm, crash to process gone,
// and the --gc mode's collection cycles per second; all through hilt's launcher, on one rig.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HiltError } from '../../harness/errors.ts';
import { platform } from '../../harness/platform/index.ts';
import { Child, stopChild } from '../../harness/proc/child.ts';
import { quantile, say, stats } from '../../harness/report/figures.ts';
import { VirtualRig } from '../../harness/rig/virtual-rig.ts';
import {
  ensurePrefix,
  isWineService,
  LAUNCHER,
  LAUNCHER_EXIT,
  launcherExitCode,
  requireWine,
  stopWineserver,
  WIN_BUILD,
  wineEnv,
} from '../../harness/target/wine.ts';
import { now, pollUntil, withDeadline } from '../../harness/wait.ts';

const EXE = join(WIN_BUILD, 'hilt-engine-win.exe');
const READY = /\bready render=running\b/;
const DONE = /done cycles=(\d+) ms=([\d.]+)/;
const ACCESS_VIOLATION = 0xc0000005;
const label = (s: string) => `  ${s.padEnd(30)} `;

// wineserver -k returns while the server and Wine's services are still going down (1-2 s): wait them out. By name:
// their /proc environ is unreadable (ESRCH), so any Wine on this machine counts.
const WINE_PROGRAM = (comm: string) => isWineService(comm) || /^hilt-(engine-win|winrun\.exe)/.test(comm);
async function stopWineAndWait(): Promise<string[]> {
  await stopWineserver();
  const left = async () => (await platform.processes()).filter((p) => WINE_PROGRAM(p.name)).map((p) => `${p.name}[${p.pid}]`);
  await pollUntil(async () => (await left()).length === 0, { deadlineMs: 5000, intervalMs: 50 });
  return left();
}

export async function windowsFigures(n: number): Promise<void> {
  let wine: string;
  try {
    wine = requireWine();
  } catch (e) {
    if (!(e instanceof HiltError)) throw e;
    return say(`Windows engine under Wine: figures skipped: ${e.message.split('\n')[0]} (${e.hint})`);
  }
  // Built separately (mingw-w64): without it there is nothing to time, which is not a bench failure.
  if (!existsSync(EXE) || !existsSync(LAUNCHER))
    return say(`Windows engine under Wine: figures skipped: ${EXE} not built (pnpm build:native:win)`);
  await ensurePrefix(); // a missing prefix would put its one-off 6 s boot into the first cold run
  const rig = await VirtualRig.start({ healthCheck: false });
  const live = new Set<Child>();
  // Every Wine program through the launcher, so a crash's full NTSTATUS is read, not its low byte.
  const spawn = (args: string[], stdin: 'pipe' | 'ignore' = 'pipe'): Child => {
    const env = { ...rig.env, ...wineEnv() };
    const c = new Child(wine, [LAUNCHER, EXE, ...args], {
      name: 'hilt-engine-win',
      env,
      stdin,
      exitLine: { re: LAUNCHER_EXIT, parse: launcherExitCode },
    });
    live.add(c);
    void c.exited.then(() => live.delete(c));
    return c;
  };
  const ready = async (): Promise<{ c: Child; ms: number }> => {
    const c = spawn([]);
    await withDeadline(c.waitForLine(READY), 20_000, 'hilt-engine-win under Wine to say ready');
    return { c, ms: now() - c.startedAt };
  };
  const unclean: string[] = [];
  const stop = async (c: Child): Promise<void> => {
    c.stdin?.write('stop\n');
    const r = await withDeadline(c.exited, 10_000, 'hilt-engine-win under Wine to stop');
    if (r.exit.kind !== 'clean') unclean.push(r.exit.name);
  };
  try {
    const cold: number[] = [];
    for (let i = 0; i < n; i++) {
      await stopWineAndWait(); // cold: no wineserver, so each run pays for starting it and Wine's services
      const r = await ready();
      cold.push(r.ms);
      await stop(r.c);
    }
    // Warm: a first engine keeps wineserver and the services up for the whole series (not the 0.55 s linger).
    const keeper = (await ready()).c;
    const warm: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = await ready();
      warm.push(r.ms);
      await stop(r.c);
    }
    const crash: number[] = [];
    const codes: string[] = [];
    for (let i = 0; i < n; i++) {
      const { c } = await ready();
      const t0 = now();
      c.stdin?.write('crash av main\n');
      const r = await withDeadline(c.exited, 10_000, 'hilt-engine-win under Wine to end after crash av main');
      crash.push(r.endedAt - t0); // endedAt: the exit, once the launcher's exit line is in (it is written before)
      codes.push(r.exit.code === ACCESS_VIOLATION ? '0xC0000005' : r.exit.name);
    }
    const cps: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = spawn(['--gc', '--count', '200', '--batch', '10'], 'ignore');
      const done = c.waitForLine(DONE); // waited on from spawn: 200 engines' lines outrun the output tail
      const r = await withDeadline(c.exited, 120_000, 'hilt-engine-win --gc under Wine');
      const m = DONE.exec(await Promise.race([done, Promise.resolve('')]));
      if (m) cps.push((Number(m[1]) / Number(m[2])) * 1000);
      else say(`  (--gc run ${i + 1}: no done line, exit ${r.exit.name}: ${c.outputTail(3).replace(/\n/g, ' | ')})`);
    }
    await stop(keeper);
    say(`Windows engine under Wine (wine hilt-winrun.exe hilt-engine-win.exe, private prefix, on the rig; ${n} runs each)`);
    say(`${label('start to ready, cold')}${stats(cold)}  (wineserver stopped before each run)`);
    say(`${label('start to ready, warm')}${stats(warm)}  (wineserver kept up by a first engine)`);
    const avs = codes.filter((x) => x === '0xC0000005').length;
    say(`${label('crash av main to process gone')}${stats(crash)}  (launcher: 0xC0000005 in ${avs}/${n}: ${codes.join(', ')})`);
    const rate = (x: number) => `${x.toFixed(1)}/s`;
    say(
      `${label('collection cycles per second')}` +
        (cps.length
          ? `p50 ${rate(quantile(cps, 0.5))}  max ${rate(Math.max(...cps))}  (n=${cps.length}; 200 engines, batches of 10)`
          : 'none completed'),
    );
    if (unclean.length) say(`  (stops that did not exit 0: ${unclean.join(', ')})`);
  } finally {
    for (const c of live) await stopChild(c, 'SIGKILL', 1000); // a run that missed its deadline
    const left = await stopWineAndWait(); // ends every Windows process of the prefix, and the server itself
    if (left.length) say(`  (still running 5 s after wineserver -k: ${left.join(', ')})`);
    await rig.stop();
  }
}
