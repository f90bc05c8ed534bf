// The reference engine (native/): it taps the victim first (proof that the fault will bite),
// crashes from inside on the thread asked for, and its log says which defence layer cleaned up.
// Each scenario proves one layer: the guardian (kill9, else the relaunch's sweep), the crash
// guard (crash), the signal handler's clean stop (sigterm, sigint). Its steps record; the judge
// is harness/check/tapping.ts.
import { join } from 'node:path';
import { judgeTapping, type GuardianFirst, type TappingObservation } from '../../../harness/check/tapping.ts';
import { wavAround } from '../../../harness/evidence/audio.ts';
import { makeCoreDir, readCore } from '../../../harness/evidence/core.ts';
import type { Capture, ToneWait } from '../../../harness/audio/capture.ts';
import { diffSnapshots, type Snapshot } from '../../../harness/inventory/snapshot.ts';
import type { ExitClass } from '../../../harness/proc/exit.ts';
import type { CleanupLayer } from '../../../harness/target/reference/engine-log.ts';
import { stopTarget, type RunningTarget } from '../../../harness/target/launch.ts';
import { endOf, watch, watchBudget, type Hang } from '../../../harness/watchdog/watchdog.ts';
import { now } from '../../../harness/wait.ts';
import { runPipeline, type FaultSteps, type RunRecord, type StepsFactory } from '../pipeline.ts';
import { killGuardianFirst, readCleanup, recordCleanupFigures, sweptAtRelaunch, tapped } from '../reference-engine.ts';
import type { TargetSession } from '../target-session.ts';
import type { TargetAdapter } from './adapter.ts';
import { killByScope, killScope, SCOPE_LABEL, type KillScope } from '../kill-scope.ts';

export interface EngineFault {
  label: string; // "SIGKILL", "SIGSEGV on the audio thread"
  kind?: string; // crash: what the engine did ("stack-overflow"), for the judge's words
  hangMs?: number; // crash: the fault to the process gone, else the watchdog takes its stacks (a guard that hangs)
  args?: string[]; // extra target arguments
  cores?: boolean; // allow a core dump and read it with gdb
  inject(t: RunningTarget, session: TargetSession): Promise<number | void> | void; // a number: when the fault was made, if later than asked
  expectExit(exit: ExitClass): { ok: boolean; expected: string };
  relaunchIfSilent?: boolean; // kill9: the next launch's sweep is an allowed last resort
  deadlineMs?: number; // a stop's deadline: the fault to the process gone (shutdown-deadline)
  secondary?: boolean; // a second (crossfade) tap per victim before the fault
  expectLayer?: CleanupLayer | 'relaunch-sweep'; // the defence layer that must have cleaned up
  scope?: KillScope; // kill9: how far the SIGKILL reached
  guardianFirst?: boolean; // kill9 --set first=guardian: the guardian SIGKILLed (and the engine's answer awaited) first
  // Several victims at once, each its own tone (multi-app), and the number of taps to expect.
  victims?: { name: string; hz: number; amplitude: number }[];
  expectTaps?: number;
}

export const referenceEngine: TargetAdapter = {
  kind: 'reference engine',
  kill: async (ctx) => {
    const scope = killScope(ctx);
    const guardianFirst = ctx.params.word('first') === 'guardian';
    const { observation } = await runPipeline(
      ctx,
      engineSteps({
        label: guardianFirst ? `${SCOPE_LABEL[scope]}, its guardian killed first` : SCOPE_LABEL[scope],
        scope,
        guardianFirst,
        inject: (e) => killByScope(e, scope),
        expectExit: (x) => ({ ok: x.signal === 'SIGKILL', expected: 'SIGKILL' }),
        relaunchIfSilent: true,
        // A group kill spares the guardian (a session of its own): it must clean at once; so must the
        // new guardian when the first was killed before the engine. A tree kill takes it too: only the
        // next launch's sweep is left.
        ...((scope === 'group' || (guardianFirst && scope === 'pid')) && { expectLayer: 'guardian' as const }),
        ...(scope === 'tree' && { expectLayer: 'relaunch-sweep' as const }),
      }),
    );
    // A fact keeps every distinct value over the runs: the path only; its silence is the metric silence_ms.
    ctx.run.fact('path', observation.relaunch ? 'no guardian cleanup; relaunch sweep' : 'guardian, no relaunch');
  },
  crash: async (ctx, { signal, thread, point }) => {
    const sig = FIELD_CRASH_SIGNAL[signal] ?? `SIG${signal.toUpperCase()}`;
    const what = signal in FIELD_CRASH_SIGNAL ? `${signal} (${sig})` : sig;
    ctx.run.fact('fault', point === 'teardown' ? `${what} inside the destroy of the secondary tap` : `${what} on the ${thread} thread`);
    await runPipeline(
      ctx,
      engineSteps({
        label: point === 'teardown' ? `${what} in teardown` : `${what} on ${thread}`,
        kind: signal,
        hangMs: 5000,
        // --set core=off: no core dump (writing one loads a 2-core machine and jitters the audio).
        cores: ctx.params.flag('core'),
        inject: (e) => {
          e.child.stdin?.write(point === 'teardown' ? `remove-secondary crash-during=${signal}\n` : `crash ${signal} ${thread}\n`);
        },
        expectExit: (x) => ({ ok: x.signal === sig && x.crash, expected: sig }),
        secondary: true,
        expectLayer: 'crash-guard',
      }),
    );
  },
  // The signal must take the clean stop path (handled outside signal context), destroying the
  // taps before exit 0 within the stop deadline.
  stopBySignal: async (ctx, sig) => {
    await runPipeline(
      ctx,
      engineSteps({
        label: sig,
        deadlineMs: ctx.target.stop.deadlineMs,
        inject: (e) => void e.child.signal(sig),
        expectExit: (x) => ({ ok: x.kind === 'clean', expected: 'exit 0' }),
        secondary: true,
        expectLayer: 'clean-stop',
      }),
    );
  },
};

// The field's crashes and the signal each one ends in (the others are named by their signal).
const FIELD_CRASH_SIGNAL: Record<string, string> = {
  'stack-overflow': 'SIGSEGV',
  'heap-corruption': 'SIGABRT',
  terminate: 'SIGABRT',
  'crash-in-crash': 'SIGSEGV',
};

// The steps of one fault against a running reference engine that taps its victims.
export const engineSteps =
  (spec: EngineFault): StepsFactory<TappingObservation> =>
  (ctx, session, rec): FaultSteps<TappingObservation> => {
    const { run, target, options, params } = ctx;
    const resumeLimit = params.number('resume_ms');
    const cap = ctx.rig.capture;
    const victims = spec.victims;
    let baseline: Snapshot, before: Snapshot, after: Snapshot, final: Snapshot;
    let coreDir: string | undefined;
    let launchedAt = 0; // wall clock: an OS crash report (macOS) is looked for from here on
    let faultAt = 0;
    let relaunched: RunningTarget | undefined;
    let guardianFirst: GuardianFirst | undefined;
    let hang: Hang | undefined;
    const log = 'engine'; // engine.log, as reports named it before targets were generic

    return {
      label: spec.label,
      title: `victim ${cap.frequencyHz} Hz through ${spec.label}`,
      async baseline() {
        for (const v of victims ?? []) cap.addTone(v.hz);
        baseline = await run.phase('baseline inventory', 5000, () => session.snapshot());
        if (victims) for (const v of victims) await session.victim(v.name, v.hz, v.amplitude);
        else await session.victim();
      },
      async launch() {
        coreDir = spec.cores ? await makeCoreDir(join(run.outDir, `core-run${ctx.repetition}`)) : undefined;
        launchedAt = Date.now();
        const e = await session.launch(`${target.name} ready`, { args: spec.args, coreDir });
        await tapped(session, e, victims);
        if (spec.secondary) await session.command(e, 'secondary', /secondary taps (ready|failed)/);
        before = await run.phase('inventory before the fault', 5000, () => session.snapshot());
        if (spec.guardianFirst) guardianFirst = await killGuardianFirst(session, e, rec);
        return e;
      },
      async inject(e) {
        faultAt = now();
        const madeAt = await spec.inject(e, session);
        if (typeof madeAt === 'number') faultAt = madeAt;
        if (spec.hangMs === undefined) {
          const ended = await run.phase(`${target.name} ends`, 5000, () => e.child.exited);
          return { exit: ended.exit, at: faultAt, endedAt: ended.endedAt };
        }
        // A crash handler that never returns leaves a live process: its stacks say where it waits.
        const w = await run.phase(`${target.name} ends`, watchBudget(spec.hangMs), () =>
          watch(e.child, e.child.exited, { what: `${target.name} death after ${spec.label}`, softMs: spec.hangMs! }),
        );
        if (w.outcome === 'hung') hang = w.hang;
        const ended = endOf(w, e.child);
        return { exit: ended.exit, at: faultAt, endedAt: ended.endedAt, ...(hang && { hang: hang.summary }) };
      },
      async observe(e, ended) {
        const exitMs = ended.endedAt - faultAt;
        if (spec.deadlineMs !== undefined) rec.deadline(faultAt + spec.deadlineMs, 'stop deadline', exitMs > spec.deadlineMs);
        const heard = victims
          ? await eachVictimBack(session, rec, victims, faultAt, ended.endedAt)
          : await victimBack(session, rec, spec, faultAt, ended.endedAt);
        relaunched = heard.relaunched;
        // Who cleaned up, in the engine's words (its guardian's lines come a moment after the death).
        // A victim back without a relaunch means some layer cleaned up: wait a moment for its lines.
        const cleanup = await readCleanup(e, heard.resumeMs !== undefined && !relaunched ? 500 : 0);
        const layer = relaunched && sweptAtRelaunch(relaunched, e.pid) ? 'relaunch-sweep' : cleanup.layer;
        // Orphans: asked of the server, allowing the cleanup a moment to land.
        after = await session.snapshotWhenGone('inventory after the fault', e.pid, ended.endedAt);
        if (layer) recordCleanupFigures(run, cleanup.log, layer);
        let relaunchStop: { name: string; clean: boolean } | undefined;
        if (relaunched) {
          const stopped = await run.phase('relaunched target stops', watchBudget(target.stop.deadlineMs), () => stopTarget(relaunched!));
          relaunchStop = { name: stopped.exit.name, clean: stopped.exit.kind === 'clean' && !stopped.escalated };
        }
        // Judged once every process this run launched has ended (a stop still under way is not a leftover).
        final = await session.finalSnapshot('final inventory');
        const own = (s: Snapshot) => s.objects.filter((o) => o.ownerPid === e.pid);
        return {
          kind: 'tapping-fault',
          target: { name: target.name, pid: e.pid },
          fault: {
            label: spec.label,
            ...(spec.kind && { kind: spec.kind }),
            ...(spec.hangMs !== undefined && { hangMs: spec.hangMs }),
            ...(spec.deadlineMs !== undefined && { deadlineMs: spec.deadlineMs }),
            ...(spec.scope && { scope: spec.scope }),
          },
          bugs: options.bugs,
          objectsBefore: own(before).map((o) => o.name),
          ...(spec.expectTaps !== undefined && {
            taps: {
              expected: spec.expectTaps,
              seen: [
                ...new Set(
                  own(before)
                    .filter((o) => o.kind === 'pulse-module')
                    .map((o) => o.name),
                ),
              ],
            },
          }),
          ...(heard.victims && { victims: heard.victims }),
          ...(guardianFirst && { guardianFirst }),
          exit: ended.exit,
          expectedExit: spec.expectExit(ended.exit),
          ...(hang && {
            hang: {
              softMs: hang.softMs,
              waits: hang.waits,
              endedBy: hang.endedBy,
              ...(hang.stacks.stacks && { stacks: hang.stacks.stacks }),
            },
          }),
          exitMs,
          resumeLimitMs: resumeLimit,
          ...(heard.resumeMs !== undefined && { resumeMs: heard.resumeMs }),
          ...(relaunched && {
            relaunch: { ...(heard.relaunchResumeMs !== undefined && { resumeMs: heard.relaunchResumeMs }), stopped: relaunchStop! },
          }),
          left: own(after),
          notBaseline: diffSnapshots(baseline, final).added,
          ...(layer && { cleanup: { layer, ...(spec.expectLayer && { expectLayer: spec.expectLayer }), log: cleanup.log } }),
        };
      },
      judge: (o) => judgeTapping(o, options.scenario),
      async evidence(e) {
        await run.attach('around-fault', 'wav', wavAround(cap, faultAt, 300, 700));
        await run.attach(log, 'log', e.child.outputTail(400));
        if (relaunched) await run.attach(`${log}-relaunched`, 'log', relaunched.child.outputTail(200));
        await run.attach('inventory', 'json', JSON.stringify({ baseline, before, after, final }, null, 2));
        if (hang) await run.attach('hang-stacks', 'text', hang.stacks.text);
        if (!coreDir) return;
        const core = await readCore(coreDir, target.command[0]!, { pid: e.pid, sinceMs: launchedAt });
        if (core.file) await run.attach('core-backtrace', 'text', core.text);
        run.fact(
          'core',
          core.file ? `${core.file}: ${core.how ?? 'read'} (core-backtrace.txt)` : `${core.text}; the target's own output is in ${log}.log`,
        );
      },
      cleanUp: () => session.sweepLeftovers(diffSnapshots(baseline, final)),
    };
  };

interface Heard {
  resumeMs?: number; // the fault to the (slowest) victim heard again
  victims?: { name: string; hz: number; resumeMs?: number }[];
  relaunched?: RunningTarget;
  relaunchResumeMs?: number;
}

// One victim: the dropout, then the tone back, with no relaunch (or after one, where allowed).
async function victimBack(session: TargetSession, rec: RunRecord, spec: EngineFault, faultAt: number, endedAt: number): Promise<Heard> {
  const { run, params } = session.ctx;
  const cap = session.ctx.rig.capture;
  const resumeLimit = params.number('resume_ms');
  const dropout = await faultDropout(cap, faultAt, endedAt);
  const from = dropout.ok ? dropout.atMs! : faultAt;
  let resumed = await run.phase('audio resumes', resumeLimit + 1500, () =>
    cap.waitFor('present', { after: from, minRunMs: 50, deadlineMs: resumeLimit }),
  );
  rec.deadline(from + resumeLimit, 'resume deadline', !resumed.ok);
  let relaunched: RunningTarget | undefined;
  let relaunchResumeMs: number | undefined;
  if (!resumed.ok && spec.relaunchIfSilent) {
    const relaunchAt = now();
    rec.mark(relaunchAt, 'relaunch');
    relaunched = await session.launch('relaunch ready');
    resumed = await run.phase('audio resumes after relaunch', resumeLimit + 1500, () =>
      cap.waitFor('present', { after: relaunchAt, minRunMs: 50, deadlineMs: resumeLimit }),
    );
    relaunchResumeMs = resumed.ok ? resumed.atMs! - relaunchAt : undefined;
    rec.deadline(relaunchAt + resumeLimit, 'resume deadline after relaunch', !resumed.ok);
  }
  if (resumed.ok) rec.mark(resumed.atMs!, 'resumed');
  if (dropout.ok) run.metric('silence_ms', (resumed.ok ? resumed.atMs! : now()) - dropout.atMs!);
  const resumeMs = resumed.ok ? Math.max(0, resumed.atMs! - faultAt) : undefined;
  run.metric('audio_resume_ms', resumeMs);
  return { resumeMs, relaunched, relaunchResumeMs };
}

// Several victims: each tone back, with no relaunch; the slowest is the app that waited longest.
async function eachVictimBack(
  session: TargetSession,
  rec: RunRecord,
  victims: NonNullable<EngineFault['victims']>,
  faultAt: number,
  endedAt: number,
): Promise<Heard> {
  const { run, params } = session.ctx;
  const cap = session.ctx.rig.capture;
  const resumeLimit = params.number('resume_ms');
  const each = await run.phase('all tones resume', resumeLimit + 2000, () =>
    Promise.all(
      victims.map(async (v) => {
        const drop = await faultDropout(cap, faultAt, endedAt, v.hz);
        const back = await cap.waitFor('present', {
          after: drop.ok ? drop.atMs! : faultAt,
          minRunMs: 50,
          deadlineMs: resumeLimit,
          hz: v.hz,
        });
        return { name: v.name, hz: v.hz, ...(back.ok && { resumeMs: Math.max(0, back.atMs! - faultAt) }) };
      }),
    ),
  );
  const times = each.map((r) => r.resumeMs);
  const resumeMs = times.every((t) => t !== undefined) ? Math.max(...(times as number[])) : undefined;
  rec.deadline(faultAt + resumeLimit, 'resume deadline', resumeMs === undefined);
  run.metric('audio_resume_ms', resumeMs);
  return { resumeMs, victims: each };
}

// The silence the fault caused starts by the time the process is gone (its playback stops with
// it); an absence that begins later is a glitch of a loaded machine, not the fault's.
async function faultDropout(cap: Capture, faultAt: number, exitAt: number, hz?: number): Promise<ToneWait> {
  const d = await cap.waitFor('absent', { after: faultAt, minRunMs: 10, deadlineMs: Math.max(300, exitAt + 300 - now()), hz });
  return d.ok && d.atMs! > exitAt + 200 ? { ok: false, state: 'absent', waitedMs: d.waitedMs } : d;
}
