// The layered deadline watchdog. A process owes hilt an event (a stop call's answer, its exit)
// by a soft deadline; past it, hilt takes the native stacks of all its threads, then SIGTERM, then
// SIGKILL at the hard deadline. The caller's checks still run; the hang is evidence, reported to
// the scenario (hangs.ts) whatever the caller does with it.
import { describeWaits, threadWaits } from '../evidence/blocking.ts';
import { takeStacks, type StackCapture } from '../evidence/live-stacks.ts';
import { childResult, type Child, type ChildResult } from '../proc/child.ts';
import { now } from '../wait.ts';
import { reportHang } from './hangs.ts';

export interface WatchOptions {
  what: string; // "kernel stop call": names the hang in messages and evidence
  softMs: number; // the deadline the process was promised
  graceMs?: number; // SIGTERM to SIGKILL (the hard deadline); default 1000
  stacks?: boolean; // take stacks at the soft deadline; default true
}

export interface Hang {
  what: string;
  pid: number;
  softMs: number;
  stacks: StackCapture;
  stacksMs: number; // soft deadline to stacks in hand
  waits: string; // "main thread in join (…), 4 threads in poll (…)", or why there are none
  endedBy: 'SIGTERM' | 'SIGKILL' | 'exited while stacks were taken' | 'still running after SIGKILL';
  exit?: ChildResult;
  summary: string; // one line for checks and diagnoses
}

export type Watched<T> =
  | { outcome: 'done'; value: T; waitedMs: number }
  | { outcome: 'exited'; exit: ChildResult; waitedMs: number } // ended before the event: not a hang
  | { outcome: 'hung'; hang: Hang; waitedMs: number };

// The time a watched wait can take past its soft deadline (stacks, grace, kill): phases that
// wrap a watched wait allow this much more, so the watchdog acts before the phase gives up.
export const STACKS_DEADLINE_MS = 10_000;
const EVENT_AFTER_EXIT_MS = 500;
export const watchBudget = (softMs: number, graceMs = 1000): number => softMs + STACKS_DEADLINE_MS + graceMs + 5000 + 1000;

// How a watched process ended, whatever the outcome (a process still there after SIGKILL, in
// uninterruptible sleep, is reported as no exit code and no signal).
export function endOf(w: Watched<unknown>, child: Child): ChildResult {
  if (w.outcome === 'exited') return w.exit;
  if (w.outcome === 'hung' && w.hang.exit) return w.hang.exit;
  return child.done ?? childResult(null, null, child.startedAt);
}

function timer(ms: number): { promise: Promise<'timeout'>; cancel: () => void } {
  let t: NodeJS.Timeout | undefined;
  const promise = new Promise<'timeout'>((r) => (t = setTimeout(() => r('timeout'), ms)));
  return { promise, cancel: () => clearTimeout(t) };
}

async function exitWithin(child: Child, ms: number): Promise<ChildResult | undefined> {
  const t = timer(ms);
  const r = await Promise.race([child.exited, t.promise]);
  t.cancel();
  return r === 'timeout' ? undefined : r;
}

export async function watch<T>(child: Child, event: Promise<T>, opts: WatchOptions): Promise<Watched<T>> {
  const t0 = now();
  const soft = timer(opts.softMs);
  const first = await Promise.race([
    event.then((value) => ({ kind: 'done' as const, value })),
    child.exited.then((exit) => ({ kind: 'exited' as const, exit })),
    soft.promise.then(() => ({ kind: 'timeout' as const })),
  ]);
  soft.cancel();
  if (first.kind === 'done') return { outcome: 'done', value: first.value, waitedMs: now() - t0 };
  if (first.kind === 'exited') {
    // The event may be the exit itself, or may have landed in the same tick.
    // Output still in the pipes lands just after the exit: a short grace for the event.
    const grace = timer(EVENT_AFTER_EXIT_MS);
    const settled = await Promise.race([event.then((value) => ({ value })), grace.promise.then(() => undefined)]);
    grace.cancel();
    if (settled) return { outcome: 'done', value: settled.value, waitedMs: now() - t0 };
    return { outcome: 'exited', exit: first.exit, waitedMs: now() - t0 };
  }
  const hang = await escalate(child, opts);
  reportHang(hang);
  return { outcome: 'hung', hang, waitedMs: now() - t0 };
}

async function escalate(child: Child, opts: WatchOptions): Promise<Hang> {
  const softAt = now();
  const grace = opts.graceMs ?? 1000;
  const stacks: StackCapture =
    opts.stacks === false
      ? { tool: 'none', command: '', text: 'stacks not asked for', tookMs: 0 }
      : await takeStacks(child.pid, { deadlineMs: STACKS_DEADLINE_MS });
  const stacksMs = now() - softAt;
  const waits = stacks.stacks
    ? describeWaits(threadWaits(stacks.stacks, child.pid))
    : stacks.missing
      ? `no stacks: ${stacks.missing}`
      : 'no stacks: the debugger read no threads';
  let endedBy: Hang['endedBy'];
  let exit = child.done;
  if (exit) {
    endedBy = 'exited while stacks were taken';
  } else {
    child.signal('SIGTERM');
    exit = await exitWithin(child, grace);
    endedBy = 'SIGTERM';
    if (!exit) {
      child.signal('SIGKILL');
      exit = await exitWithin(child, 5000);
      endedBy = exit ? 'SIGKILL' : 'still running after SIGKILL';
    }
  }
  const ending =
    endedBy === 'SIGTERM'
      ? 'it ended on SIGTERM'
      : endedBy === 'SIGKILL'
        ? `SIGTERM was ignored for ${grace} ms, so it was SIGKILLed`
        : endedBy;
  return {
    what: opts.what,
    pid: child.pid,
    softMs: opts.softMs,
    stacks,
    stacksMs,
    waits,
    endedBy,
    ...(exit ? { exit } : {}),
    summary: `${opts.what} hung: nothing after ${opts.softMs} ms; ${waits}${stacks.python ? `; Python: ${stacks.python}` : ''}; ${ending}`,
  };
}
