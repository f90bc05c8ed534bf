// The kernel-cycles judge (the Max kernel, seed 001, as a series): the kernel started and stopped
// again and again in one process, an idle client on each channel. Every stop must answer within
// its deadline and leave no thread, no new descriptor and no connection file; the process must then
// exit cleanly on time and leave nothing on the server. A leak of one thread per stop is a trend.
// Pure: scenarios/kernel-cycles.scenario.ts records the observation; recorded ones test it.
import type { InventoryObject } from '../inventory/objects.ts';
import type { ExitClass } from '../proc/exit.ts';
import { expectation, type CheckResult, type Judgement } from './check.ts';
import { cleanExitCheck, exitDeadlineCheck, hangDiagnosis, leakDiagnosis, type StopHang } from './kernel-stop.ts';
import { backToBaseline } from './orphans.ts';

// One start/stop cycle, looked at from outside once its stop call was answered (or not).
export interface KernelCycle {
  n: number;
  stop: 'done' | 'hung' | 'exited';
  stopMs?: number; // "stop" to "kernel stopped", when it answered
  hang?: StopHang; // where a hung stop's threads waited
  died?: string; // how the process ended when it died during the stop ("SIGSEGV")
  threads?: number; // besides the main one after the stop (undefined: the process was gone or dying)
  fds?: number; // open descriptors after the stop
  fileLeft: boolean; // the connection file still exists after the stop
}

export interface KernelCyclesObservation {
  kind: 'kernel-cycles';
  target: { name: string; pid: number };
  bugs: string[];
  count: number; // cycles asked for
  limits: { stopMs: number; exitMs: number };
  cycles: KernelCycle[]; // the cycles whose stop was called, in order
  startFailed?: { cycle: number; outcome: 'exited' | 'hung'; died?: string; waits?: string }; // a start call that did not answer
  diedEarly: boolean; // the process was gone before it was asked to quit
  exitMs?: number; // the last stop call to the process gone, less the time hilt spent looking
  exit: ExitClass;
  signatures: string[]; // crash signatures in its log
  notBaseline: InventoryObject[];
}

// Nearest-rank median of sorted values (as harness/report/stats.ts's quantile, which check/ cannot import).
const median = (sorted: number[]): string => sorted[Math.max(0, Math.ceil(sorted.length / 2) - 1)]?.toFixed(1) ?? '-';

// Why the cycles ended early: a start or stop call that did not answer, or a death during one.
function problemOf(o: KernelCyclesObservation): string {
  const s = o.startFailed;
  if (s)
    return s.outcome === 'exited'
      ? `the kernel process died before cycle ${s.cycle} of ${o.count} could start (${s.died})`
      : `hang: the kernel start call did not answer in cycle ${s.cycle}: ${s.waits}`;
  const last = o.cycles.at(-1);
  if (last?.stop === 'hung' && last.hang) return hangDiagnosis(o.limits.stopMs, last.hang) + ` (cycle ${last.n} of ${o.count})`;
  if (last?.stop === 'exited') return `the kernel process died during cycle ${last.n} of ${o.count} (${last.died})`;
  return '';
}

export function judgeKernelCycles(o: KernelCyclesObservation): Judgement {
  const { cycles: done, count, exit } = o;
  const stopLimit = o.limits.stopMs;
  const stops = done
    .map((c) => c.stopMs)
    .filter((x): x is number => x !== undefined)
    .sort((a, b) => a - b);
  const late = done.filter((c) => c.stopMs === undefined || c.stopMs > stopLimit);
  const withThreads = done.filter((c) => c.threads !== undefined && c.threads > 0);
  const fds = done.map((c) => c.fds).filter((x): x is number => x !== undefined);
  const grew = fds.length >= 2 ? fds[fds.length - 1]! - fds[0]! : 0;
  const fileLeft = done.filter((c) => c.fileLeft).map((c) => c.n);
  const checks: CheckResult[] = [
    expectation(
      'stop-deadline',
      'every stop call within its deadline',
      late.length === 0 && done.length === count,
      stops.length ? Math.round(stops[stops.length - 1]! * 10) / 10 : 'none',
      stopLimit,
      'ms',
      late.length || done.length < count
        ? `${done.length - late.length} of ${count} stops on time; the first late one: cycle ${late[0]?.n ?? done.length + 1}`
        : `${count} stops: p50 ${median(stops)} ms, max ${stops[stops.length - 1]!.toFixed(1)} ms`,
    ),
    expectation(
      'no-threads',
      'no threads remain after any stop',
      withThreads.length === 0 && done.every((c) => c.threads !== undefined),
      done.at(-1)?.threads ?? 'process gone',
      0,
      'threads',
      withThreads.length
        ? `threads left after the stops: ${done.map((c) => c.threads ?? '-').join(', ')} (cycle 1 to ${done.length})`
        : done.every((c) => c.threads !== undefined)
          ? `only the main thread after each of ${done.length} stops`
          : `hilt could not look: the process died after the stop of cycle ${done.find((c) => c.threads === undefined)?.n ?? '?'}, ` +
            'before hilt could count its threads',
    ),
    // No count at all has proven nothing: a failure that says why hilt could not look.
    expectation(
      'descriptors-at-baseline',
      'descriptors back to baseline after each stop',
      fds.length > 0 && grew === 0,
      fds.length ? grew : null,
      0,
      'descriptors',
      fds.length === 0
        ? 'hilt could not look: the process died right after the stop, before hilt could count its descriptors'
        : grew
          ? `open descriptors after each stop: ${fds.join(', ')} (+${(grew / Math.max(1, fds.length - 1)).toFixed(1)} per cycle)`
          : `${fds[0]} open after every stop`,
    ),
    expectation(
      'connection-file-removed',
      'connection file removed at every stop',
      fileLeft.length === 0,
      fileLeft.length,
      0,
      'stops',
      fileLeft.length ? `still there after cycle(s) ${fileLeft.join(', ')}` : 'removed each time',
    ),
    exitDeadlineCheck(
      o.exitMs,
      o.limits.exitMs,
      o.diedEarly
        ? 'the process died before it was asked to quit'
        : 'the last stop call to process gone (less the time hilt spent looking)',
    ),
    cleanExitCheck(exit, o.signatures),
    backToBaseline(o.notBaseline),
  ];

  const problem = problemOf(o);
  const last = done.at(-1);
  let diagnosis: string | undefined;
  if (problem.startsWith('hang')) diagnosis = problem;
  else if (withThreads.length) {
    diagnosis =
      `leak: each stop returned (p50 ${median(stops)} ms) but left its channel threads running: ` +
      `${done.map((c) => c.threads ?? '-').join(', ')} threads after ${done.length === 1 ? 'cycle 1' : `cycles 1 to ${done.length}`}` +
      (grew ? `, and ${grew} more open descriptors` : '') +
      (exit.kind !== 'clean' ? `; the process then died (${exit.name}): a late write by a leaked thread into freed kernel state` : '') +
      ". The stop detached its threads instead of joining them (leak-on-stop; seed 001's leak-instead-of-join workaround).";
  } else if (exit.kind !== 'clean' && last?.stopMs !== undefined && last.threads === undefined) {
    // It died right after a stop returned, before hilt could count its threads.
    diagnosis = leakDiagnosis(last.stopMs, { openClients: 0, listening: [], fileLeft: false }, `${exit.name}, ${exit.description}`);
  } else if (problem) diagnosis = problem;
  return { checks, ...(diagnosis && { diagnosis }) };
}
