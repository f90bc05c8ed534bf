// Ends of a runtime that still holds running engines: the program (or the worker thread holding
// the engines) exits normally, calls process.exit(), throws, or is terminated, with audio flowing
// and JS callbacks queued from the engines' VM threads. Each end must stop, join and destroy
// every engine before the runtime goes: no crash, no hang, nothing left on the server.
// Not the fault pipeline (lib/pipeline.ts): the end comes from inside the program, to engines inside one process.
import { join } from 'node:path';
import type { Judgement } from '../../harness/check/check.ts';
import { crashSignatures } from '../../harness/check/crash-signature.ts';
import {
  endCrashed,
  judgeLiveEngines,
  stoppedBy,
  type LiveEnd,
  type LiveEnginesObservation,
  type Where,
} from '../../harness/check/live-engines.ts';
import { makeCoreDir, readCore } from '../../harness/evidence/core.ts';
import { ownFrames } from '../../harness/evidence/gdb-stacks.ts';
import { diffSnapshots, type Snapshot } from '../../harness/inventory/snapshot.ts';
import type { ScenarioManifest } from '../../harness/scenario/manifest.ts';
import { defineScenario, type ScenarioContext } from '../../harness/scenario/define.ts';
import { parseLifecycle } from '../../harness/target/reference/lifecycle.ts';
import { stopTarget, type RunningTarget } from '../../harness/target/launch.ts';
import { endOf, watch, watchBudget } from '../../harness/watchdog/watchdog.ts';
import type { ChildResult } from '../../harness/proc/child.ts';
import { now, pollUntil } from '../../harness/wait.ts';
import { TargetSession } from './target-session.ts';

// Each end, what the program's exit code (main) or the worker's exit code (worker) must be,
// and how it reads in a report.
export const ENDINGS: Record<Where, Record<string, { code: number; label: string }>> = {
  main: {
    normal: { code: 0, label: 'normal exit' },
    exit: { code: 3, label: 'process.exit(3)' },
    throw: { code: 1, label: 'uncaught exception' },
  },
  worker: {
    terminate: { code: 1, label: 'worker.terminate()' },
    normal: { code: 0, label: 'worker returns' },
    exit: { code: 0, label: 'process.exit() in the worker' },
    throw: { code: 1, label: 'uncaught exception in the worker' },
  },
};

// --set how=a,b (default: every end for `where`), checked against the manifest before the run.
export function endingsParam(ctx: ScenarioContext): readonly string[] {
  return ctx.params.words('how');
}

// The first line that matches, or the process's end, whichever comes first.
function lineOrExit(t: RunningTarget, re: RegExp): Promise<{ line?: string; ended?: ChildResult }> {
  return Promise.race([t.child.waitForLine(re).then((line) => ({ line })), t.child.exited.then((ended) => ({ ended }))]);
}

export async function endWithLiveEngines(
  ctx: ScenarioContext,
  session: TargetSession,
  baseline: Snapshot,
  where: Where,
  how: string,
): Promise<LiveEnd> {
  const { run, target } = ctx;
  const { code: expectedCode, label } = ENDINGS[where][how]!;
  const engines = ctx.params.number('engines');
  const endLimit = ctx.params.number('end_ms');
  const coreDir = !ctx.params.flag('core') ? undefined : await makeCoreDir(join(run.outDir, `core-${where}-${how}-run${run.repetition}`));

  const launchedAt = Date.now(); // wall clock: an OS crash report (macOS) is looked for from here on
  const program = await session.launch(`${label}: ${engines} engines running`, {
    args: ['--in', where, '--how', how, '--engines', String(engines)],
    coreDir,
    tailLines: 20_000,
  });
  await run.phase(`${label}: program begins its end`, 5000, () => program.child.waitForLine(/^ending /));
  const endAt = now();

  // The end: the process gone (main) or the worker gone with the process still up (worker).
  let hung = false;
  let endMs: number | undefined;
  let ended: ChildResult | undefined;
  let workerCode: number | undefined;
  await run.phase(`${label}: end within ${endLimit} ms`, watchBudget(endLimit + 3000), async () => {
    const ending =
      where === 'main'
        ? program.child.exited.then((e) => ({ ended: e }) as { line?: string; ended?: ChildResult })
        : lineOrExit(program, /^worker ended code=/);
    // The watchdog: past the deadline, stacks, then SIGTERM, then SIGKILL; the checks still run.
    const w = await watch(program.child, ending, { what: `${label}: end`, softMs: endLimit + 3000 });
    if (w.outcome !== 'done') {
      hung = w.outcome === 'hung';
      ended = endOf(w, program.child);
      return;
    }
    const done = w.value;
    ended = done.ended;
    endMs = (done.ended ? done.ended.endedAt : now()) - endAt;
    if (done.line) workerCode = Number(/code=(-?\d+)/.exec(done.line)![1]);
  });

  // Worker ends: the process lives on; its server objects and threads are read while it runs.
  let threadsLine: string | undefined;
  let live: Snapshot | undefined;
  if (where === 'worker' && workerCode !== undefined) {
    threadsLine = (await lineOrExit(program, /^threads end=/)).line;
    live = await run.phase(`${label}: inventory with the process still running`, 8000, async () => {
      let snap: Snapshot | undefined;
      await pollUntil(async () => (snap = await session.snapshot()).objects.every((o) => o.ownerPid !== program.pid) || undefined, {
        deadlineMs: 2000,
        intervalMs: 50,
      });
      return snap!;
    });
    ended = await run.phase(`${label}: program exits when asked`, watchBudget(target.stop.deadlineMs), () => stopTarget(program));
  }

  const text = program.child.outputTail(20_000);
  await run.attach(`program-${where}-${how}`, 'log', text);
  const core = coreDir ? await readCore(coreDir, target.command[0]!, { pid: program.pid, sinceMs: launchedAt }) : undefined;
  if (core?.file) await run.attach(`core-backtrace-${where}-${how}`, 'text', core.text);
  const crashing = core?.stacks?.threads.find((x) => x.id === core.stacks!.current);
  const crashFrames = crashing ? ownFrames(crashing, 3) : [];
  // The lifecycle lines from the program's "ending" line on: who stopped the engines once the end began.
  const lines = text.split('\n');
  const afterEnding = parseLifecycle(
    lines
      .slice(
        Math.max(
          0,
          lines.findIndex((l) => l.startsWith('ending ')),
        ),
      )
      .join('\n'),
  );
  const reported = (re: RegExp, s: string | undefined): number | undefined => {
    const m = s === undefined ? null : re.exec(s);
    return m ? Number(m[1]) : undefined;
  };

  const after = live ?? (await session.snapshotWhenGone(`${label}: inventory after`, program.pid));
  const diff = diffSnapshots(baseline, after);
  // The engines tapped every stream, the victim's too: a tap left behind keeps it silent.
  const resumed = await ctx.rig.capture.waitFor('present', { after: now(), minRunMs: 50, deadlineMs: 1000 });
  await session.sweepLeftovers(diff, `hilt-sweep-${where}-${how}`);
  return {
    how,
    label,
    expectedCode,
    pid: program.pid,
    hung,
    ...(ended && { exit: ended.exit }),
    ...(endMs !== undefined && { endMs }),
    ...(workerCode !== undefined && { workerCode }),
    signatures: crashSignatures(text),
    ...(crashFrames.length > 0 && { crashFrames }),
    lives: [...parseLifecycle(text)],
    afterEnding: [...afterEnding],
    ...(where === 'worker' && {
      threads: { baseline: reported(/threads baseline=(\d+)/, text), end: reported(/threads end=(\d+)/, threadsLine) },
    }),
    victimBack: resumed.ok,
    notBaseline: diff.added,
  };
}

// The judge's checks of the ends in the observation, with their metrics and who stopped the engines.
async function recordEndings(ctx: ScenarioContext, observation: LiveEnginesObservation): Promise<Judgement> {
  const { run } = ctx;
  await run.attach('observation', 'json', JSON.stringify(observation, null, 2));
  const judged = judgeLiveEngines(observation);
  for (const c of judged.checks) run.check(c);
  for (const end of observation.ends) {
    run.metric('exit_ms', end.endMs);
    const by = stoppedBy(end);
    if (by) run.fact('stopped_by', `${end.label}: ${by}`);
    for (const [, ev] of end.lives) {
      const stop = ev.find((e) => e.event === 'stop-requested');
      const last = ev.filter((e) => e.event === 'tap-destroyed' || e.event === 'freed').pop();
      if (stop && last) run.metric('teardown_p99_ms', last.atMs - stop.atMs); // worst of few: the p99 of a handful is its max
    }
  }
  return judged;
}

// After every end: the crash tally counts this repetition once, and the
// diagnosis names each end that failed ("k of N runs crashed" first when repeated).
export function finishEndings(ctx: ScenarioContext, observation: LiveEnginesObservation, judged: Judgement): void {
  const { run, options } = ctx;
  const crashed = observation.ends.filter(endCrashed);
  const crashedRuns = run.tally('crashed_runs', crashed.length ? 1 : 0);
  if (crashed.length) run.fact('crashes', crashed.map((e) => `${e.label}: ${e.exit?.name ?? 'crash signature'}`).join('; '));
  // Earlier repetitions' failures count too: the whole run is said again with its new tally.
  if (!run.checks.some((c) => c.verdict !== 'pass')) return;
  const said = judged.diagnosis ?? run.failedChecks();
  if (options.repeat > 1) run.diagnoseWholeRun(`${crashedRuns} of ${run.repetition} runs crashed. ${said}`);
  else run.diagnosis = said;
}

// The whole scenario for engines in `where`: a victim, then each end asked for, one after another.
export function defineEndingsScenario(entry: ScenarioManifest, where: Where): void {
  defineScenario(entry, async (ctx) => {
    const hows = endingsParam(ctx);
    const session = new TargetSession(ctx);
    const baseline = await ctx.run.phase('baseline inventory', 5000, () => session.snapshot());
    await session.victim();
    const observation: LiveEnginesObservation = {
      kind: 'live-engines',
      target: { name: ctx.target.name },
      where,
      bugs: ctx.options.bugs,
      engines: ctx.params.number('engines'),
      endLimitMs: ctx.params.number('end_ms'),
      ends: [],
    };
    try {
      for (const how of hows) observation.ends.push(await endWithLiveEngines(ctx, session, baseline, where, how));
    } catch (e) {
      // The ends that finished are judged even when a later one stops the run with an error.
      await recordEndings(ctx, observation);
      throw e;
    }
    finishEndings(ctx, observation, await recordEndings(ctx, observation));
  });
}
