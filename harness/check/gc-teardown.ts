// The gc-teardown judge (numchuck's seed): a program made, started and dropped many engines and
// let the garbage collector end them. Each must have been stopped, its threads joined and its tap
// destroyed before it was freed; the program must end cleanly with its threads back where they
// started, the victim heard again and nothing new left on the server. Pure: the scenario records
// the observation (scenarios/gc-teardown.scenario.ts), recorded ones test it without a rig.
import type { InventoryObject } from '../inventory/objects.ts';
import { windowsExitText, type ExitClass } from '../proc/exit.ts';
import { orderViolations, teardownMs, type LifecycleEvent } from '../target/reference/lifecycle.ts';
import { expectation, withinLimit, type CheckResult, type Judgement } from './check.ts';
import { backToBaseline } from './orphans.ts';

export interface GcObservation {
  kind: 'gc-teardown';
  target: { name: string; pid: number; wine: boolean };
  bugs: string[];
  count: number; // engines asked for
  teardownLimitMs: number;
  exit: ExitClass;
  signatures: string[]; // crash signatures in its output
  sanitizerAt?: string; // where a sanitizer report points (sanitizerWhere)
  lives: [number, LifecycleEvent[]][]; // each engine's lifecycle lines, by engine id
  threads: { baseline?: number; end?: number }; // the program's own counts, before and after
  victimBack: boolean; // the victim heard after the program ended
  notBaseline: InventoryObject[]; // objects not in the baseline once the program had ended
  // Where the rig cannot list its objects (WASAPI sessions under Wine): why, and its processes still
  // running after it ended (an audio session ends with its process).
  unlisted?: { why: string; processesLeft: string[] };
}

// Did the program crash, in any of the ways it can show it?
export const gcCrashed = (o: Pick<GcObservation, 'exit' | 'signatures'>): boolean =>
  o.exit.crash || o.exit.kind === 'signal' || o.signatures.length > 0;

export function judgeGcTeardown(o: GcObservation): Judgement {
  const { exit } = o;
  const seen = [exit.crash ? exit.name : '', ...o.signatures].filter(Boolean);
  const violations = o.lives.flatMap(([id, ev]) => orderViolations(id, ev));
  const teardowns = o.lives
    .map(([, ev]) => teardownMs(ev))
    .filter((x): x is number => x !== undefined)
    .sort((a, b) => a - b);
  const p99 = teardowns.length ? teardowns[Math.min(teardowns.length - 1, Math.floor(teardowns.length * 0.99))] : undefined;
  const { baseline, end } = o.threads;
  const checks: CheckResult[] = [
    expectation(
      'clean-exit',
      'clean exit',
      exit.kind === 'clean',
      exit.name,
      'exit 0',
      '',
      `program exit: ${exit.name} (${exit.description})`,
    ),
    expectation(
      'no-crash-signature',
      'no crash signature',
      seen.length === 0,
      seen.length,
      0,
      'signatures',
      seen.length ? `seen: ${seen.join('; ')}` : 'no signal, sanitizer report or fatal runtime error',
    ),
    expectation(
      'stopped-before-freed',
      'every engine stopped and joined before it was freed',
      violations.length === 0 && o.lives.length >= o.count,
      violations.length,
      0,
      'violations',
      violations.length
        ? violations.slice(0, 5).join('; ') + (violations.length > 5 ? `; and ${violations.length - 5} more` : '')
        : `${o.lives.length} engines: stop requested, threads joined, tap destroyed, then freed`,
    ),
    withinLimit(
      'teardown-deadline',
      'teardown per engine within its deadline (p99)',
      p99,
      o.teardownLimitMs,
      'ms',
      'stop requested to freed',
    ),
    expectation(
      'threads-at-baseline',
      'thread count back to baseline',
      baseline !== undefined && end !== undefined && end === baseline,
      end ?? 'not reported',
      baseline ?? '?',
      'threads',
      end !== undefined
        ? `threads ${baseline ?? '?'} before the first engine, ${end} after the last was collected`
        : 'the program never reported its final thread count (it did not get that far)',
    ),
    expectation(
      'victim-resumed',
      'victim heard after the program',
      o.victimBack,
      o.victimBack ? 'present' : 'absent',
      'present',
      '',
      o.victimBack ? 'the victim plays on the output again' : 'the victim is still silent: a tap is left',
    ),
    o.unlisted ? backToBaselineByProcess(o.unlisted) : backToBaseline(o.notBaseline),
  ];
  const failed = checks.filter((c) => c.verdict !== 'pass');
  return failed.length ? { checks, diagnosis: diagnose(o, failed) } : { checks };
}

// The audio service's objects cannot be listed: none can be left exactly when no process of it runs.
function backToBaselineByProcess(u: { why: string; processesLeft: string[] }): CheckResult {
  const n = u.processesLeft.length;
  return expectation(
    'back-to-baseline',
    'inventory back to baseline',
    n === 0,
    n === 0 ? 'none (no process left)' : `${n} process(es) left`,
    0,
    '',
    `${n === 0 ? 'no process of it runs after its end' : `still running after its end: ${u.processesLeft.join(', ')}`}, ` +
      `and an audio session ends with its process (the sessions themselves cannot be listed here: ${u.why})`,
  );
}

// The seed's bug in its own words: which engines were freed (or released) while their threads
// ran, and how the process then ended; otherwise the failed checks.
function diagnose(o: GcObservation, failed: CheckResult[]): string {
  const { exit } = o;
  const ids = (pred: (names: string[]) => boolean) =>
    o.lives.filter(([, ev]) => pred(ev.map((e) => e.event))).map(([id]) => `engine#${id}`);
  const running = ids((n) => n.includes('freed-while-running'));
  // Released (the Windows engine's COM objects) while the render thread had not been joined.
  const releasedLive = ids((n) => n.includes('tap-destroyed') && !n.slice(0, n.indexOf('tap-destroyed')).includes('threads-joined'));
  const thread = o.target.wine ? 'render thread' : 'VM thread';
  const bug = o.bugs.length ? ` (${o.bugs.join(',')})` : '';
  const seen = [exit.crash ? exit.name : '', ...o.signatures].filter(Boolean);
  const crashed = gcCrashed(o);
  const how = crashed
    ? `crashed (${[
        windowsExitText(exit) ?? seen.join('; '),
        o.sanitizerAt ? `in ${o.sanitizerAt}` : '',
        exit.signal === 'SIGSEGV' ? 'a shell shows exit 139, Windows 0xC0000005 access violation' : '',
      ]
        .filter(Boolean)
        .join('; ')})`
    : 'went on with a thread writing into freed memory';
  const many = (list: string[]) => (list.length > 1 ? `their ${thread}s were` : `its ${thread} was`);
  if (running.length)
    return (
      `${running.join(', ')} freed while ${many(running)} still running, then the process ${how}: ` +
      `the finalizer frees the engine without stopping and joining its threads first${bug}`
    );
  if (releasedLive.length && crashed)
    return (
      `${releasedLive.join(', ')} released ${releasedLive.length > 1 ? 'their' : 'its'} audio client while ${many(releasedLive)} ` +
      `still running, then the process ${how}: the finalizer releases the engine without stopping it first${bug}`
    );
  return failed.map((c) => `${c.name}: ${c.message}`).join('; ');
}
