// Ends of a runtime that still holds running engines: the program (or the worker thread holding
// the engines) exits normally, calls process.exit(), throws, or is terminated, with audio flowing
// and JS callbacks queued from the engines' VM threads. Each end must stop, join and destroy
// every engine before the runtime goes: no crash, no hang, nothing left on the server.
// Not the fault pipeline (lib/pipeline.ts): the end comes from inside the program, to engines inside one process.
import { join } from 'node:path';
import { expectation, withinLimit, type CheckResult } from '../../harness/check/check.ts';
import { crashSignatures } from '../../harness/check/crash-signature.ts';
import { backToBaseline } from '../../harness/check/orphans.ts';
import { makeCoreDir, readCore, type CoreEvidence } from '../../harness/evidence/core.ts';
import { ownFrames } from '../../harness/evidence/gdb-stacks.ts';
import { HiltError } from '../../harness/errors.ts';
import { diffSnapshots, type Snapshot } from '../../harness/inventory/snapshot.ts';
import type { ScenarioManifest } from '../../harness/scenario/manifest.ts';
import { defineScenario, type ScenarioContext } from '../../harness/scenario/define.ts';
import type { ExitClass } from '../../harness/proc/exit.ts';
import { orderViolations, parseLifecycle, type LifecycleEvent } from '../../harness/target/reference/lifecycle.ts';
import { stopTarget, type RunningTarget } from '../../harness/target/launch.ts';
import { endOf, watch, watchBudget } from '../../harness/watchdog/watchdog.ts';
import type { ChildResult } from '../../harness/proc/child.ts';
import { now, pollUntil } from '../../harness/wait.ts';
import { TargetSession } from './target-session.ts';

export type Where = 'main' | 'worker';

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

export interface EndingOutcome {
  label: string;
  crashed: boolean;
  hung: boolean;
  exit?: ExitClass;
  afterEnding: Map<number, LifecycleEvent[]>; // events logged once the end began
  core?: CoreEvidence;
  orphans: number;
  failed: boolean;
}

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
): Promise<EndingOutcome> {
  const { run, options, target } = ctx;
  const { code: expectedCode, label } = ENDINGS[where][how]!;
  const engines = ctx.params.number('engines');
  const endLimit = ctx.params.number('end_ms');
  const checksBefore = run.checks.length;
  // Every check of this end is made once per end: the end's label tells them apart.
  const about = (c: CheckResult): CheckResult => ({ ...c, subject: label });
  const coreDir = !ctx.params.flag('core') ? undefined : await makeCoreDir(join(run.outDir, `core-${where}-${how}-run${run.repetition}`));

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
  const exit = ended?.exit;
  const signatures = crashSignatures(text);
  const crashed = (!!exit && (exit.crash || exit.kind === 'signal')) || signatures.length > 0;
  const core = coreDir ? await readCore(coreDir, target.command[0]!) : undefined;
  if (core?.file) await run.attach(`core-backtrace-${where}-${how}`, 'text', core.text);

  // 1. How it ended.
  if (where === 'main') {
    run.check(
      about(
        expectation(
          'exit-code',
          `${label}: exit code`,
          !hung && exit?.kind !== 'signal' && ended?.exitCode === expectedCode,
          exit?.name ?? 'still running',
          `exit ${expectedCode}`,
          '',
          hung
            ? `the program did not end within ${endLimit + 3000} ms after "${how}" and was stopped`
            : `the program ended with ${exit!.name} (${exit!.description}); ${label} must end it with exit ${expectedCode}`,
        ),
      ),
    );
  } else {
    run.check(
      about(
        expectation(
          'worker-ended',
          `${label}: worker ended, process lives on`,
          workerCode === expectedCode && exit?.kind === 'clean',
          workerCode ?? exit?.name ?? 'still running',
          `worker code ${expectedCode}, then exit 0`,
          '',
          workerCode === undefined
            ? hung
              ? `the worker did not end within ${endLimit + 3000} ms`
              : `the whole process ended (${exit?.name}) instead of just the worker`
            : `the worker ended with code ${workerCode}; the process then exited ${exit?.name ?? 'not at all'} when asked`,
        ),
      ),
    );
  }
  const seen = [exit?.crash || exit?.kind === 'signal' ? exit.name : '', ...signatures].filter(Boolean);
  run.check(
    about(
      expectation(
        'no-crash-signature',
        `${label}: no crash signature`,
        seen.length === 0,
        seen.length,
        0,
        'signatures',
        seen.length ? `seen: ${seen.join('; ')}` : 'no signal, sanitizer report or fatal runtime error',
      ),
    ),
  );
  run.check(
    about(
      withinLimit(
        'end-deadline',
        `${label}: ended within its deadline`,
        endMs,
        endLimit,
        'ms',
        where === 'main' ? `"ending" to process gone` : `"ending" to worker gone`,
      ),
    ),
  );
  run.metric('exit_ms', endMs);

  // 2. Every engine's own account of its end.
  const lives = parseLifecycle(text);
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
  const finalized = !(where === 'main' && how !== 'normal'); // process.exit() and throw skip finalizers
  const violations = [...lives].flatMap(([id, ev]) => orderViolations(id, ev, { freed: finalized }));
  const by = stopReasons(afterEnding);
  run.check(
    about(
      expectation(
        'engines-stopped',
        `${label}: every engine stopped, joined and its tap destroyed`,
        violations.length === 0 && lives.size >= engines,
        violations.length,
        0,
        'violations',
        violations.length
          ? violations.slice(0, 4).join('; ') + (violations.length > 4 ? `; and ${violations.length - 4} more` : '')
          : `${lives.size} engines stopped by the ${by || '?'}, threads joined, taps destroyed${finalized ? ', then freed' : ''}`,
      ),
    ),
  );
  if (by) run.fact('stopped_by', `${label}: ${by}`);
  for (const ev of lives.values()) {
    const stop = ev.find((e) => e.event === 'stop-requested');
    const last = ev.filter((e) => e.event === 'tap-destroyed' || e.event === 'freed').pop();
    if (stop && last) run.metric('teardown_p99_ms', last.atMs - stop.atMs); // worst of few: the p99 of a handful is its max
  }

  // 3. The server and the threads.
  if (where === 'worker') {
    const base = /threads baseline=(\d+)/.exec(text)?.[1];
    const end = threadsLine ? /threads end=(\d+)/.exec(threadsLine)?.[1] : undefined;
    run.check(
      about(
        expectation(
          'threads-at-baseline',
          `${label}: thread count back to baseline`,
          !!base && end === base,
          end ?? 'not reported',
          base ?? '?',
          'threads',
          end
            ? `threads ${base} before the worker, ${end} once it was gone`
            : 'the program never reported its thread count after the worker (it did not get that far)',
        ),
      ),
    );
  }
  const after = live ?? (await session.snapshotWhenGone(`${label}: inventory after`, program.pid));
  const diff = diffSnapshots(baseline, after);
  run.check(
    about(backToBaseline(diff.added, `${label}: inventory back to baseline${where === 'worker' ? ' while the process lives on' : ''}`)),
  );
  // The engines tapped every stream, the victim's too: a tap left behind keeps it silent.
  const resumed = await ctx.rig.capture.waitFor('present', { after: now(), minRunMs: 50, deadlineMs: 1000 });
  run.check(
    about(
      expectation(
        'victim-resumed',
        `${label}: victim heard again`,
        resumed.ok,
        resumed.ok ? 'present' : 'absent',
        'present',
        '',
        resumed.ok ? 'the victim plays on the output' : 'the victim is silent: its stream is still held by a tap left on the server',
      ),
    ),
  );
  await session.sweepLeftovers(diff, `hilt-sweep-${where}-${how}`);

  const failed = run.checks.slice(checksBefore).some((c) => c.verdict !== 'pass');
  return { label, crashed, hung, exit, afterEnding, core, orphans: diff.orphans.length, failed };
}

function stopReasons(lives: Map<number, LifecycleEvent[]>): string {
  const reasons = new Set<string>();
  for (const ev of lives.values()) for (const e of ev) if (e.event === 'stop-requested' && e.detail) reasons.add(e.detail);
  return [...reasons].join(' and ');
}

// What went wrong in one end, in the words of the bug it matches.
export function endingDiagnosis(o: EndingOutcome): string | undefined {
  if (!o.failed) return undefined;
  if (o.hung) return `${o.label}: hung; the program did not end and was stopped (see its log for the last engine step)`;
  const crashedIn = o.core?.stacks ? crashingFrames(o.core) : '';
  const cutShort = [...o.afterEnding].filter(
    ([, ev]) => ev.some((e) => e.event === 'stop-requested' && e.detail === 'finalizer') && !ev.some((e) => e.event === 'tap-destroyed'),
  );
  if (o.crashed && cutShort.length) {
    const [id] = cutShort[0]!;
    return (
      `${o.label}: the runtime finalized engine#${id} at teardown without a cleanup hook having stopped it first; ` +
      `it died of ${o.exit?.name ?? 'a crash'} after its threads were joined, ` +
      `releasing its JS callback (a thread-safe function the runtime had already closed)${crashedIn}, ` +
      `and ${o.orphans} server object(s) were left behind: ` +
      `the addon registers no environment cleanup hook (no-cleanup-hook)`
    );
  }
  const stoppedAfter = [...o.afterEnding.values()].some((ev) => ev.some((e) => e.event === 'stop-requested'));
  if (o.crashed && !stoppedAfter) {
    return (
      `${o.label}: died of ${o.exit?.name ?? 'a crash'}${o.exit?.signal === 'SIGSEGV' ? ' (exit 139 in a shell)' : ''} ` +
      `after the program had finished, before any engine was stopped${crashedIn}; ` +
      `${o.orphans} server object(s) were left behind: ` +
      `the registry of running engines was destroyed by exit() before the exit handler that stops them ran (static-registry-after-exit)`
    );
  }
  return undefined;
}

// One end told in full per bug; other ends that failed the same way are listed after it.
function groupedDiagnosis(outcomes: EndingOutcome[]): string {
  const byBug = new Map<string, { text: string; others: string[] }>();
  for (const o of outcomes) {
    const text = endingDiagnosis(o);
    if (!text) continue;
    const bug = /\(([\w-]+)\)$/.exec(text)?.[1] ?? text;
    const seen = byBug.get(bug);
    if (seen) seen.others.push(o.label);
    else byBug.set(bug, { text, others: [] });
  }
  return [...byBug.values()].map((g) => g.text + (g.others.length ? `. The same in: ${g.others.join(', ')}` : '')).join('. ');
}

function crashingFrames(core: CoreEvidence): string {
  const s = core.stacks!;
  const t = s.threads.find((x) => x.id === s.current);
  const frames = t ? ownFrames(t, 3) : [];
  return frames.length ? ` (crashing thread: ${frames.join(' < ')})` : '';
}

// After every end: the crash tally counts this repetition once, and the
// diagnosis names each end that failed ("k of N runs crashed" first when repeated).
export async function finishEndings(ctx: ScenarioContext, outcomes: EndingOutcome[]): Promise<void> {
  const { run, options } = ctx;
  const crashed = outcomes.filter((o) => o.crashed);
  const crashedRuns = run.tally('crashed_runs', crashed.length ? 1 : 0);
  if (crashed.length) run.fact('crashes', crashed.map((o) => `${o.label}: ${o.exit?.name ?? 'crash signature'}`).join('; '));
  if (!run.checks.some((c) => c.verdict !== 'pass')) return;
  const said = groupedDiagnosis(outcomes) || run.failedChecks();
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
    const outcomes = [];
    for (const how of hows) outcomes.push(await endWithLiveEngines(ctx, session, baseline, where, how));
    await finishEndings(ctx, outcomes);
  });
}
