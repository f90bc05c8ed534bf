// The kernel-stop judge (the Max kernel that hung on quit, seed 001): with idle clients connected,
// the stop call must return within its deadline and leave no thread, connection, port or file;
// the process must then exit cleanly within its own deadline and leave nothing on the server.
// Pure: scenarios/kernel-stop.scenario.ts records the observation; recorded ones test it.
import type { InventoryObject } from '../inventory/objects.ts';
import type { ThreadInfo } from '../platform/platform.ts';
import type { ExitClass } from '../proc/exit.ts';
import { expectation, withinLimit, type CheckResult, type Judgement } from './check.ts';
import { backToBaseline } from './orphans.ts';

// What the stopped kernel left, seen from outside while the app still runs.
export interface AfterStop {
  threads?: ThreadInfo[]; // besides the main one, from /proc once the stop returned (undefined: the process was gone)
  openClients: number; // idle clients the kernel had not disconnected 500 ms after the stop
  listening: string[]; // "shell:40123": ports still accepting connections
  fileLeft: boolean; // the connection file still exists
}

// Where a hung stop's threads wait (the watchdog's stacks) and how the process was ended.
export interface StopHang {
  waits: string;
  endedBy: string;
}

export interface KernelStopObservation {
  kind: 'kernel-stop';
  target: { name: string; pid: number };
  bugs: string[];
  limits: { stopMs: number; exitMs: number };
  connectionFile: string;
  ports: Record<string, number>;
  clients: number;
  heartbeatMs?: number; // a line out on hb and its echo back
  stop: { outcome: 'done' | 'hung' | 'exited'; ms?: number; hang?: StopHang };
  after?: AfterStop; // looked at only when the stop returned
  fileLeft: boolean;
  exitMs?: number; // the stop call to the process gone, less the time hilt spent looking
  exit: ExitClass;
  signatures: string[]; // crash signatures in its log
  notBaseline: InventoryObject[];
  processLeft: boolean;
}

export const threadNames = (ts: ThreadInfo[] = []): string => ts.map((t) => t.name).join(', ');

// Exit 0 and nothing in the log that says it died: the kernel app's last check.
export const cleanExitCheck = (exit: ExitClass, signatures: string[]): CheckResult =>
  expectation(
    'clean-exit',
    'clean exit',
    exit.kind === 'clean' && signatures.length === 0,
    exit.name,
    'exit 0',
    '',
    `${exit.name} (${exit.description})${signatures.length ? `; ${signatures.join('; ')}` : ''}`,
  );

// The stop call to the process gone, against its deadline (kernel-stop's one stop, kernel-cycles' last).
export const exitDeadlineCheck = (exitMs: number | undefined, limitMs: number, said: string): CheckResult =>
  withinLimit('exit-deadline', 'process exits within its deadline', exitMs, limitMs, 'ms', said);

export function judgeKernelStop(o: KernelStopObservation): Judgement {
  const { stop, after } = o;
  const checks: CheckResult[] = [
    expectation(
      'connection-file-written',
      'connection file written at start',
      Object.keys(o.ports).length >= 1,
      Object.keys(o.ports).length,
      '>= 1',
      'ports',
      `${o.connectionFile}: ${Object.entries(o.ports)
        .map(([c, p]) => `${c}=${p}`)
        .join(' ')}`,
    ),
    withinLimit(
      'heartbeat-answered',
      'kernel answers on its heartbeat before the stop',
      o.heartbeatMs,
      1000,
      'ms',
      'a line out on hb and its echo back',
    ),
    withinLimit(
      'stop-deadline',
      'stop call returns within its deadline',
      stop.ms,
      o.limits.stopMs,
      'ms',
      stop.outcome === 'hung'
        ? `no answer: ${stop.hang?.waits ?? 'no stacks'}`
        : stop.outcome === 'exited'
          ? 'the process ended before answering'
          : '"stop" to "kernel stopped"',
    ),
  ];
  if (after) {
    const left = after.threads;
    checks.push(
      // A process that died before hilt could read its threads has proven nothing: a failure.
      expectation(
        'no-threads',
        'no threads remain after the stop',
        !!left && left.length === 0,
        left ? left.length : null,
        0,
        'threads',
        !left
          ? 'hilt could not look: the process died right after the stop returned, before hilt could count its threads'
          : left.length
            ? `still running: ${threadNames(left)}`
            : 'only the main thread is left (/proc/<pid>/task)',
      ),
      expectation(
        'clients-disconnected',
        'idle clients disconnected by the stop',
        after.openClients === 0,
        after.openClients,
        0,
        'connections',
        after.openClients
          ? `${after.openClients} of ${o.clients} still connected 500 ms after the stop returned`
          : `all ${o.clients} connections closed by the kernel`,
      ),
      expectation(
        'ports-released',
        'ports released by the stop',
        after.listening.length === 0,
        after.listening.length,
        0,
        'ports',
        after.listening.length ? `still accepting connections: ${after.listening.join(', ')}` : 'every port refuses connections',
      ),
    );
  }
  checks.push(
    expectation(
      'connection-file-removed',
      'connection file removed',
      !o.fileLeft,
      o.fileLeft ? 'present' : 'gone',
      'gone',
      '',
      o.fileLeft ? `${o.connectionFile} is still there` : 'removed by the stop',
    ),
    exitDeadlineCheck(o.exitMs, o.limits.exitMs, 'stop call to process gone (less the time hilt spent looking after the stop)'),
    cleanExitCheck(o.exit, o.signatures),
    backToBaseline(o.notBaseline),
    expectation('no-process-left', 'no kernel process remains', !o.processLeft, o.target.pid, 'gone', '', `pid ${o.target.pid} is gone`),
  );
  const exit = o.exit;
  const diagnosis =
    stop.outcome === 'hung' && stop.hang
      ? hangDiagnosis(o.limits.stopMs, stop.hang)
      : after && (!after.threads || after.threads.length || after.openClients || after.listening.length)
        ? leakDiagnosis(stop.ms!, after, exit.kind === 'clean' ? undefined : `${exit.name}, ${exit.description}`)
        : undefined;
  return { checks, ...(diagnosis && { diagnosis }) };
}

// The diagnosis of a hung stop: where the threads wait, and what that pattern means.
export function hangDiagnosis(limitMs: number, hang: StopHang): string {
  const { waits } = hang;
  const endedBy = hang.endedBy === 'SIGKILL' ? 'SIGTERM was ignored, so it was SIGKILLed' : hang.endedBy;
  const pollJoin = /in join/.test(waits) && /in poll/.test(waits);
  return (
    `hang: the kernel stop call did not return within ${limitMs} ms. Stacks at the soft deadline: ${waits}; ${endedBy}.` +
    (pollJoin
      ? ' The channel threads sleep in poll with nothing to wake them and read the stop flag only after a message, ' +
        'so the join in stop() waits forever (blocking-poll; the Max kernel, seed 001).'
      : '')
  );
}

// The diagnosis of a stop that returned but left its threads running, or died right after it.
export function leakDiagnosis(stopMs: number, a: AfterStop, death?: string): string {
  const cause = " The stop detached its threads instead of joining them (leak-on-stop; seed 001's leak-instead-of-join workaround).";
  if (!a.threads) {
    return (
      `late write: the stop call returned in ${stopMs.toFixed(1)} ms, ` +
      `then the process died (${death ?? 'no exit status'}) before anything else was asked of it: ` +
      `threads the stop left running wrote into the kernel state it had freed.${cause}`
    );
  }
  const held = [
    a.openClients ? `${a.openClients} idle client connection(s)` : '',
    a.listening.length ? `${a.listening.length} listening port(s)` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  return (
    `leak: the stop call returned in ${stopMs.toFixed(1)} ms but left ${a.threads.length} thread(s) running ` +
    `(${threadNames(a.threads)})${held ? `, still holding ${held}` : ''}` +
    (death ? `; then the process died (${death}) when those threads woke: a late write into the kernel state the stop had freed` : '') +
    '.' +
    cause
  );
}
