// The faults a black box gets, each a BlackBoxFault: a signal sent from outside (SIGKILL, SIGTERM,
// SIGINT, a crash signal), the configured stop, or its own end. Every wait is under the watchdog:
// past its deadline the program's stacks are taken, then SIGTERM, then SIGKILL, and the checks run.
import { stopTarget, type RunningTarget } from '../../harness/target/launch.ts';
import { endOf, watch, watchBudget } from '../../harness/watchdog/watchdog.ts';
import { now } from '../../harness/wait.ts';
import { platform } from '../../harness/platform/index.ts';
import type { ScenarioContext } from '../../harness/scenario/define.ts';
import type { MidiPortsObserved } from '../../harness/check/blackbox.ts';
import type { DeathObserved } from '../../harness/check/death.ts';
import type { ChildResult } from '../../harness/proc/child.ts';
import type { ExitClass } from '../../harness/proc/exit.ts';
import type { TargetSession } from './target-session.ts';
import { killByScope, SCOPE_LABEL, type KillScope } from './kill-scope.ts';
import { JOB_KILL_CODE } from '../../harness/platform/win32-job.ts';

export interface BlackBoxFault {
  label: string; // "SIGKILL", "the configured stop", "its own end"
  // Does the fault and resolves with the process's end and when it was asked for.
  // A hang the watchdog caught on the way is said in words (where each thread waits).
  // midi: what a MIDI fault saw of the program's ports (midi-orphans), for the judge.
  // death: what a crash signal's end showed of how it died (crash), for the judge.
  inject(
    t: RunningTarget,
    session: TargetSession,
  ): Promise<{ ended: ChildResult; at: number; hang?: string; midi?: MidiPortsObserved; death?: DeathObserved }>;
  expectExit(exit: ExitClass): { ok: boolean; expected: string };
  deadlineMs: number; // the fault to the process gone
  crashExpected?: boolean; // a crash scenario: the signature is the fault's, not a finding
  core?: boolean; // launched so that its crash leaves a core (Windows: a dump) read as evidence
}

// Whether the code or signal is one the config lists as a clean stop.
export function exitIsExpected(exit: ExitClass, codes: (number | NodeJS.Signals)[]): boolean {
  return codes.some((c) => (typeof c === 'number' ? exit.signal === null && exit.code === c : exit.signal === c));
}

// `what` names a hang: a crash signal that does not end the program by its deadline is its crash handler not ending.
async function signalled(
  ctx: ScenarioContext,
  t: RunningTarget,
  sig: NodeJS.Signals,
  softMs: number,
  what = `${t.spec.name} exit after ${sig}`,
) {
  const at = now();
  t.child.signal(sig);
  const w = await ctx.run.phase(`${t.spec.name} ends after ${sig}`, watchBudget(softMs), () =>
    watch(t.child, t.child.exited, { what, softMs }),
  );
  return { ended: endOf(w, t.child), at, ...(w.outcome === 'hung' && { hang: w.hang.summary }) };
}

// SIGKILL as far as --set scope says (kill9; other scenarios kill the process only).
export function killFault(ctx: ScenarioContext, scope: KillScope = 'pid'): BlackBoxFault {
  return {
    label: SCOPE_LABEL[scope],
    deadlineMs: 1000,
    inject: async (t) => {
      const at = await killByScope(t, scope);
      const w = await ctx.run.phase(`${t.spec.name} ends after ${SCOPE_LABEL[scope]}`, watchBudget(1000), () =>
        watch(t.child, t.child.exited, { what: `${t.spec.name} exit after ${SCOPE_LABEL[scope]}`, softMs: 1000 }),
      );
      return { ended: endOf(w, t.child), at, ...(w.outcome === 'hung' && { hang: w.hang.summary }) };
    },
    expectExit: (x) =>
      // On Windows TerminateJobObject ends the program with its code, and the launcher passes it on.
      process.platform === 'win32' && scope === 'tree'
        ? { ok: x.signal === null && x.code === JOB_KILL_CODE, expected: `exit ${JOB_KILL_CODE} (TerminateJobObject's code)` }
        : { ok: x.signal === 'SIGKILL', expected: 'SIGKILL' },
  };
}

// SIGTERM or SIGINT: a clean stop is an exit code (or signal) the config lists.
export function signalFault(ctx: ScenarioContext, sig: 'SIGTERM' | 'SIGINT'): BlackBoxFault {
  const codes = ctx.target.expect.exitCodes;
  return {
    label: sig,
    deadlineMs: ctx.target.stop.deadlineMs,
    inject: (t) => signalled(ctx, t, sig, ctx.target.stop.deadlineMs),
    expectExit: (x) => ({ ok: exitIsExpected(x, codes), expected: codes.join(' or ') }),
  };
}

// A crash signal sent from outside: it must die of it (or a handler it has exits as listed).
export function crashFault(ctx: ScenarioContext, sig: NodeJS.Signals): BlackBoxFault {
  const codes = ctx.target.expect.exitCodes;
  return {
    label: sig,
    deadlineMs: ctx.target.stop.deadlineMs,
    crashExpected: true,
    inject: async (t) => {
      const mark = t.child.linesSeen; // what it prints from here on is its answer to the signal
      const r = await signalled(ctx, t, sig, ctx.target.stop.deadlineMs, `${t.spec.name} crash handler after ${sig}`);
      await t.child.drained(500);
      const death = { signal: sig, outputAfter: t.child.linesSince(mark).slice(0, 20), watchdog: r.hang !== undefined };
      return { ...r, death: { ...death, ...(r.hang && { stacks: r.hang }) } };
    },
    expectExit: (x) => ({ ok: x.signal === sig || exitIsExpected(x, codes), expected: `${sig} or ${codes.join(' or ')}` }),
  };
}

// The NTSTATUS each crash of the Windows engine must end with (what Windows itself raises).
export const WINDOWS_FAULTS = {
  av: 0xc0000005,
  'stack-overflow': 0xc00000fd,
  'heap-corruption': 0xc0000374,
  'fast-fail': 0xc0000409,
  breakpoint: 0x80000003,
} as const;
export type WindowsFault = keyof typeof WINDOWS_FAULTS;

// The Windows engine crashes from inside, on the thread asked for; the launcher reads its exit
// code in Wine, so the check is the NTSTATUS itself, not the Linux status's low byte.
export function windowsCrashFault(ctx: ScenarioContext, fault: WindowsFault, thread: 'main' | 'render'): BlackBoxFault {
  const want = WINDOWS_FAULTS[fault];
  const hex = `0x${want.toString(16).toUpperCase()}`;
  const softMs = ctx.target.stop.deadlineMs;
  // hilt on Windows: its launcher's dump (under Wine from Linux the launcher is run without one).
  const core = ctx.params.flag('core') && platform.os === 'win32';
  return {
    label: `${fault} on the ${thread} thread`,
    deadlineMs: softMs,
    crashExpected: true,
    core,
    inject: async (t) => {
      const at = now();
      t.child.stdin?.write(`crash ${fault} ${thread}\n`);
      // The launcher's dump (2-3 s under Wine) is hilt's time, not the program's: awaited apart, then taken out.
      const dumpMs = core ? await dumpWriting(ctx, t, softMs) : undefined;
      if (dumpMs !== undefined)
        ctx.run.fact('dump', `written by hilt's launcher in ${dumpMs} ms (not counted in the time to process gone)`);
      const w = await ctx.run.phase(`${t.spec.name} ends after ${fault} on ${thread}`, watchBudget(softMs), () =>
        watch(t.child, t.child.exited, { what: `${t.spec.name} exit after ${fault} on the ${thread} thread`, softMs }),
      );
      return { ended: endOf(w, t.child), at: at + (dumpMs ?? 0), ...(w.outcome === 'hung' && { hang: w.hang.summary }) };
    },
    expectExit: (x) => ({ ok: x.code === want && x.crash && x.signal === null, expected: hex }),
  };
}

// The launcher's dump, where it writes one: "writing a dump" within the fault's deadline (or the program
// ends first, or no fatal exception came: undefined), then "dump PATH ... in N ms" (its own deadline).
const DUMP_LINE = /^hilt-winrun: dump .* in (\d+) ms$/;
async function dumpWriting(ctx: ScenarioContext, t: RunningTarget, softMs: number): Promise<number | undefined> {
  const within = <T>(p: Promise<T>, ms: number) =>
    Promise.race([p, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref())]);
  const exited = t.child.exited.then(() => undefined);
  const writing = await within(Promise.race([t.child.waitForLine(/^hilt-winrun: writing a dump of pid /), exited]), softMs);
  if (!writing) return undefined;
  const line = await ctx.run.phase(`hilt's launcher writes ${t.spec.name}'s dump`, 60_000, () =>
    Promise.race([t.child.waitForLine(DUMP_LINE), exited]),
  );
  return dumpWritingMs(line ?? '');
}

export const dumpWritingMs = (line: string): number | undefined => {
  const m = DUMP_LINE.exec(line);
  return m ? Number(m[1]) : undefined;
};

// The configured stop (signal, stdin closed, a line, a command) under the watchdog.
export function stopFault(ctx: ScenarioContext): BlackBoxFault {
  const { stop, expect } = ctx.target;
  return {
    label: `the configured stop (${stop.method === 'signal' ? stop.signal : stop.method})`,
    deadlineMs: stop.deadlineMs,
    inject: async (t) => {
      const at = now();
      const r = await ctx.run.phase(`${t.spec.name} stops`, watchBudget(stop.deadlineMs), () => stopTarget(t));
      return { ended: r, at, ...(r.hang && { hang: r.hang.summary }) };
    },
    expectExit: (x) => ({ ok: exitIsExpected(x, expect.exitCodes), expected: expect.exitCodes.join(' or ') }),
  };
}

// Its own end (a script, a test run): no fault, a deadline, and an exit code its config calls clean.
export function exitFault(ctx: ScenarioContext): BlackBoxFault {
  const endMs = ctx.params.number('end_ms');
  const codes = ctx.target.expect.exitCodes;
  return {
    label: 'its own end',
    deadlineMs: endMs,
    inject: async (t) => {
      const at = now();
      const w = await ctx.run.phase(`${t.spec.name} ends by itself`, watchBudget(endMs), () =>
        watch(t.child, t.child.exited, { what: `${t.spec.name} own end`, softMs: endMs }),
      );
      return { ended: endOf(w, t.child), at, ...(w.outcome === 'hung' && { hang: w.hang.summary }) };
    },
    expectExit: (x) => ({ ok: exitIsExpected(x, codes), expected: codes.join(' or ') }),
  };
}
