// The live-engines judge (numchuck's second crash): a Node program, or a worker thread in one,
// ended with engines running (a normal exit, process.exit(), a throw, worker.terminate()), one end
// after another. Each end must come as asked within its deadline and without a crash, every engine
// stopped, joined and its tap destroyed, a worker's threads back, the victim heard and nothing new
// left on the server. Pure: scenarios/lib/live-engines.ts records the observation, recorded ones
// test it without a rig.
import { isOrphan, type InventoryObject } from '../inventory/objects.ts';
import type { ExitClass } from '../proc/exit.ts';
import { orderViolations, type LifecycleEvent } from '../target/reference/lifecycle.ts';
import { expectation, withinLimit, type CheckResult, type Judgement } from './check.ts';
import { backToBaseline } from './orphans.ts';

export type Where = 'main' | 'worker';

// One end, as measured.
export interface LiveEnd {
  how: string; // the end asked for: normal, exit, throw, terminate
  label: string; // how it reads in a report; every check of this end has it as its subject
  expectedCode: number; // the program's (main) or the worker's (worker) exit code this end must give
  pid: number;
  hung: boolean; // the end did not come by its deadline and the watchdog stopped the program
  exit?: ExitClass; // how the process ended (worker: when asked to, after the worker)
  endMs?: number; // "ending" to the process (main) or the worker (worker) gone
  workerCode?: number; // the worker's exit code as the program reported it
  signatures: string[]; // crash signatures in its output
  crashFrames?: string[]; // the crashing thread's own frames, read from a core
  lives: [number, LifecycleEvent[]][]; // each engine's lifecycle lines, by engine id
  afterEnding: [number, LifecycleEvent[]][]; // the same, from the program's "ending" line on
  threads?: { baseline?: number; end?: number }; // worker: the program's counts before the worker and once it was gone
  victimBack: boolean; // the victim heard once the end was over
  notBaseline: InventoryObject[]; // objects not in the baseline once the end was over
}

export interface LiveEnginesObservation {
  kind: 'live-engines';
  target: { name: string };
  where: Where; // engines in the main thread, or in a worker thread
  bugs: string[];
  engines: number; // engines running when each end came
  endLimitMs: number;
  ends: LiveEnd[]; // in the order they ran
}

// Did this end crash, in any of the ways it can show it?
export const endCrashed = (e: Pick<LiveEnd, 'exit' | 'signatures'>): boolean =>
  (!!e.exit && (e.exit.crash || e.exit.kind === 'signal')) || e.signatures.length > 0;

// Who stopped the engines once the end began ("cleanup hook", "process exit", "finalizer").
export function stoppedBy(e: Pick<LiveEnd, 'afterEnding'>): string {
  const reasons = new Set<string>();
  for (const [, ev] of e.afterEnding) for (const x of ev) if (x.event === 'stop-requested' && x.detail) reasons.add(x.detail);
  return [...reasons].join(' and ');
}

export function judgeLiveEngines(o: LiveEnginesObservation): Judgement {
  const judged = o.ends.map((e) => ({ end: e, checks: endChecks(o, e) }));
  const checks = judged.flatMap((j) => j.checks);
  const failed = checks.filter((c) => c.verdict !== 'pass');
  if (!failed.length) return { checks };
  const said = groupedDiagnosis(judged) || failed.map((c) => `${c.name}: ${c.message}`).join('; ');
  return { checks, diagnosis: said };
}

function endChecks(o: LiveEnginesObservation, e: LiveEnd): CheckResult[] {
  const { label, how, hung, exit, workerCode, expectedCode } = e;
  const endLimit = o.endLimitMs;
  const checks: CheckResult[] = [];
  // 1. How it ended.
  if (o.where === 'main') {
    checks.push(
      expectation(
        'exit-code',
        `${label}: exit code`,
        !hung && exit?.kind !== 'signal' && exit?.code === expectedCode,
        exit?.name ?? 'still running',
        `exit ${expectedCode}`,
        '',
        hung
          ? `the program did not end within ${endLimit + 3000} ms after "${how}" and was stopped`
          : `the program ended with ${exit?.name} (${exit?.description}); ${label} must end it with exit ${expectedCode}`,
      ),
    );
  } else {
    checks.push(
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
    );
  }
  const seen = [exit?.crash || exit?.kind === 'signal' ? exit.name : '', ...e.signatures].filter(Boolean);
  checks.push(
    expectation(
      'no-crash-signature',
      `${label}: no crash signature`,
      seen.length === 0,
      seen.length,
      0,
      'signatures',
      seen.length ? `seen: ${seen.join('; ')}` : 'no signal, sanitizer report or fatal runtime error',
    ),
    withinLimit(
      'end-deadline',
      `${label}: ended within its deadline`,
      e.endMs,
      endLimit,
      'ms',
      o.where === 'main' ? `"ending" to process gone` : `"ending" to worker gone`,
    ),
  );

  // 2. Every engine's own account of its end.
  const finalized = !(o.where === 'main' && how !== 'normal'); // process.exit() and throw skip finalizers
  const violations = e.lives.flatMap(([id, ev]) => orderViolations(id, ev, { freed: finalized }));
  const by = stoppedBy(e);
  checks.push(
    expectation(
      'engines-stopped',
      `${label}: every engine stopped, joined and its tap destroyed`,
      violations.length === 0 && e.lives.length >= o.engines,
      violations.length,
      0,
      'violations',
      violations.length
        ? violations.slice(0, 4).join('; ') + (violations.length > 4 ? `; and ${violations.length - 4} more` : '')
        : `${e.lives.length} engines stopped by the ${by || '?'}, threads joined, taps destroyed${finalized ? ', then freed' : ''}`,
    ),
  );

  // 3. The server and the threads.
  if (o.where === 'worker') {
    const { baseline: base, end } = e.threads ?? {};
    checks.push(
      expectation(
        'threads-at-baseline',
        `${label}: thread count back to baseline`,
        base !== undefined && end === base,
        // As the program printed them: the counts are text in the report.
        end !== undefined ? String(end) : 'not reported',
        base !== undefined ? String(base) : '?',
        'threads',
        end !== undefined
          ? `threads ${base} before the worker, ${end} once it was gone`
          : 'the program never reported its thread count after the worker (it did not get that far)',
      ),
    );
  }
  checks.push(
    backToBaseline(e.notBaseline, `${label}: inventory back to baseline${o.where === 'worker' ? ' while the process lives on' : ''}`),
    // The engines tapped every stream, the victim's too: a tap left behind keeps it silent.
    expectation(
      'victim-resumed',
      `${label}: victim heard again`,
      e.victimBack,
      e.victimBack ? 'present' : 'absent',
      'present',
      '',
      e.victimBack ? 'the victim plays on the output' : 'the victim is silent: its stream is still held by a tap left on the server',
    ),
  );
  // Every check of this end is made once per end: the end's label tells them apart.
  return checks.map((c) => ({ ...c, subject: label }));
}

// What went wrong in one end, in the words of the bug it matches.
export function endingDiagnosis(e: LiveEnd, failed: boolean): string | undefined {
  if (!failed) return undefined;
  if (e.hung) return `${e.label}: hung; the program did not end and was stopped (see its log for the last engine step)`;
  const crashed = endCrashed(e);
  const crashedIn = e.crashFrames?.length ? ` (crashing thread: ${e.crashFrames.join(' < ')})` : '';
  const orphans = e.notBaseline.filter(isOrphan).length;
  const cutShort = e.afterEnding.filter(
    ([, ev]) => ev.some((x) => x.event === 'stop-requested' && x.detail === 'finalizer') && !ev.some((x) => x.event === 'tap-destroyed'),
  );
  if (crashed && cutShort.length) {
    const [id] = cutShort[0]!;
    return (
      `${e.label}: the runtime finalized engine#${id} at teardown without a cleanup hook having stopped it first; ` +
      `it died of ${e.exit?.name ?? 'a crash'} after its threads were joined, ` +
      `releasing its JS callback (a thread-safe function the runtime had already closed)${crashedIn}, ` +
      `and ${orphans} server object(s) were left behind: ` +
      `the addon registers no environment cleanup hook (no-cleanup-hook)`
    );
  }
  const stoppedAfter = e.afterEnding.some(([, ev]) => ev.some((x) => x.event === 'stop-requested'));
  if (crashed && !stoppedAfter) {
    return (
      `${e.label}: died of ${e.exit?.name ?? 'a crash'}${e.exit?.signal === 'SIGSEGV' ? ' (exit 139 in a shell)' : ''} ` +
      `after the program had finished, before any engine was stopped${crashedIn}; ` +
      `${orphans} server object(s) were left behind: ` +
      `the registry of running engines was destroyed by exit() before the exit handler that stops them ran (static-registry-after-exit)`
    );
  }
  return undefined;
}

// One end told in full per bug; other ends that failed the same way are listed after it.
function groupedDiagnosis(judged: { end: LiveEnd; checks: CheckResult[] }[]): string {
  const byBug = new Map<string, { text: string; others: string[] }>();
  for (const { end, checks } of judged) {
    const text = endingDiagnosis(
      end,
      checks.some((c) => c.verdict !== 'pass'),
    );
    if (!text) continue;
    const bug = /\(([\w-]+)\)$/.exec(text)?.[1] ?? text;
    const seen = byBug.get(bug);
    if (seen) seen.others.push(end.label);
    else byBug.set(bug, { text, others: [] });
  }
  return [...byBug.values()].map((g) => g.text + (g.others.length ? `. The same in: ${g.others.join(', ')}` : '')).join('. ');
}
