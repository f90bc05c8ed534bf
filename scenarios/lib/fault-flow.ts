// One fault against a running reference engine that taps a victim, observed, then judged
// (harness/check/tapping.ts): audio resumes (without a relaunch, unless the scenario allows one),
// no orphans remain, and the process ended the way it should. The flow only records: the
// launch, the tap, the inventory before and after, the exit, the victim's tone, the engine's log.
import { join } from 'node:path';
import type { CheckResult } from '../../harness/check/check.ts';
import { judgeTapping, type TappingObservation } from '../../harness/check/tapping.ts';
import { wavAround, type Marker } from '../../harness/evidence/audio.ts';
import { makeCoreDir, readCore } from '../../harness/evidence/core.ts';
import type { Capture, ToneWait } from '../../harness/audio/capture.ts';
import { diffSnapshots } from '../../harness/inventory/snapshot.ts';
import type { ExitClass } from '../../harness/proc/exit.ts';
import type { ScenarioContext } from '../../harness/scenario/define.ts';
import type { CleanupLayer, EngineLog } from '../../harness/target/reference/engine-log.ts';
import { stopTarget, type RunningTarget } from '../../harness/target/launch.ts';
import { watchBudget } from '../../harness/watchdog/watchdog.ts';
import { now } from '../../harness/wait.ts';
import { readCleanup, recordCleanupFigures, sweptAtRelaunch, tapped } from './reference-engine.ts';
import { TargetSession } from './target-session.ts';

export interface FaultSpec {
  label: string; // "SIGKILL", "SIGSEGV on the audio thread"
  args?: string[]; // extra target arguments
  cores?: boolean; // allow a core dump and read it with gdb
  inject(t: RunningTarget, session: TargetSession): Promise<void> | void;
  expectExit(exit: ExitClass): { ok: boolean; expected: string };
  relaunchIfSilent?: boolean; // kill9: the next launch's sweep is an allowed last resort
  deadlineMs?: number; // a stop's deadline: the fault to the process gone (shutdown-deadline)
  // The reference engine's steps: prove the tap first, then say (and check) who cleaned up.
  engine?: { secondary?: boolean; expectLayer?: CleanupLayer };
  // Several victims at once, each its own tone (multi-app), and the number of taps to expect.
  victims?: { name: string; hz: number; amplitude: number }[];
  expectTaps?: number;
}

export interface FaultOutcome {
  target: RunningTarget;
  relaunched?: RunningTarget;
  exit: ExitClass;
  log?: EngineLog; // the reference engine's own account
  layer?: CleanupLayer | 'relaunch-sweep';
  resumeMs?: number;
  exitMs: number; // fault to process gone
  failed: CheckResult[];
}

export async function runFault(ctx: ScenarioContext, spec: FaultSpec): Promise<FaultOutcome> {
  const { run, target, options, params } = ctx;
  const resumeLimit = params.number('resume_ms');
  const cap = ctx.rig.capture;
  const session = new TargetSession(ctx);
  const markers: Marker[] = [];

  const victims = spec.victims;
  for (const v of victims ?? []) cap.addTone(v.hz);
  const baseline = await run.phase('baseline inventory', 5000, () => session.snapshot());
  if (victims) for (const v of victims) await session.victim(v.name, v.hz, v.amplitude);
  else await session.victim();
  const coreDir = spec.cores ? await makeCoreDir(join(run.outDir, `core-run${ctx.repetition}`)) : undefined;
  const subject = await session.launch(`${target.name} ready`, { args: spec.args, coreDir });
  if (spec.engine) {
    await tapped(session, subject, victims);
    if (spec.engine.secondary) await session.command(subject, 'secondary', /secondary taps (ready|failed)/);
  }
  const before = await run.phase('inventory before the fault', 5000, () => session.snapshot());

  // The fault.
  const faultAt = now();
  markers.push({ at: faultAt, label: spec.label });
  await spec.inject(subject, session);
  const ended = await run.phase(`${target.name} ends`, 5000, () => subject.child.exited);
  const exit = ended.exit;
  run.fact('exit', `${exit.name} (${exit.description})`);
  const exitMs = ended.endedAt - faultAt;
  run.metric('exit_ms', exitMs);
  markers.push({ at: ended.endedAt, label: `gone (${exit.name})` });

  // Several victims: each tone back, with no relaunch; the slowest is the app that waited longest.
  const eachResumed = victims
    ? await run.phase('all tones resume', resumeLimit + 2000, () =>
        Promise.all(
          victims.map(async (v) => {
            const drop = await faultDropout(cap, faultAt, ended.endedAt, v.hz);
            const back = await cap.waitFor('present', {
              after: drop.ok ? drop.atMs! : faultAt,
              minRunMs: 50,
              deadlineMs: resumeLimit,
              hz: v.hz,
            });
            return { name: v.name, hz: v.hz, ...(back.ok && { resumeMs: Math.max(0, back.atMs! - faultAt) }) };
          }),
        ),
      )
    : undefined;

  // One victim: the dropout, then the tone back, with no relaunch (or after one, where allowed).
  let resumeMs: number | undefined;
  let relaunched: RunningTarget | undefined;
  let relaunchResumeMs: number | undefined;
  const deadlines: { at: number; label: string; missed: boolean }[] = [];
  if (spec.deadlineMs !== undefined)
    deadlines.push({ at: faultAt + spec.deadlineMs, label: 'stop deadline', missed: exitMs > spec.deadlineMs });
  if (eachResumed) {
    const times = eachResumed.map((r) => r.resumeMs);
    resumeMs = times.every((t) => t !== undefined) ? Math.max(...(times as number[])) : undefined;
    deadlines.push({ at: faultAt + resumeLimit, label: 'resume deadline', missed: resumeMs === undefined });
  } else {
    const dropout = await faultDropout(cap, faultAt, ended.endedAt);
    let resumed = await run.phase('audio resumes', resumeLimit + 1500, () =>
      cap.waitFor('present', { after: dropout.ok ? dropout.atMs! : faultAt, minRunMs: 50, deadlineMs: resumeLimit }),
    );
    deadlines.push({ at: (dropout.ok ? dropout.atMs! : faultAt) + resumeLimit, label: 'resume deadline', missed: !resumed.ok });
    if (!resumed.ok && spec.relaunchIfSilent) {
      const relaunchAt = now();
      markers.push({ at: relaunchAt, label: 'relaunch' });
      relaunched = await session.launch('relaunch ready');
      resumed = await run.phase('audio resumes after relaunch', resumeLimit + 1500, () =>
        cap.waitFor('present', { after: relaunchAt, minRunMs: 50, deadlineMs: resumeLimit }),
      );
      relaunchResumeMs = resumed.ok ? resumed.atMs! - relaunchAt : undefined;
      deadlines.push({ at: relaunchAt + resumeLimit, label: 'resume deadline after relaunch', missed: !resumed.ok });
    }
    resumeMs = resumed.ok ? Math.max(0, resumed.atMs! - faultAt) : undefined;
    if (resumed.ok) markers.push({ at: resumed.atMs!, label: 'resumed' });
    if (dropout.ok) run.metric('silence_ms', (resumed.ok ? resumed.atMs! : now()) - dropout.atMs!);
  }
  run.metric('audio_resume_ms', resumeMs);
  // Who cleaned up, in the engine's words (its guardian's lines come a moment after the death).
  // A victim back without a relaunch means some layer cleaned up: wait a moment for its lines.
  const cleanup = spec.engine ? await readCleanup(subject, resumeMs !== undefined && !relaunched ? 500 : 0) : undefined;
  const layer: FaultOutcome['layer'] = relaunched && sweptAtRelaunch(relaunched, subject.pid) ? 'relaunch-sweep' : cleanup?.layer;

  // Orphans: asked of the server, allowing the cleanup a moment to land.
  const after = await session.snapshotWhenGone('inventory after the fault', subject.pid, ended.endedAt);
  if (cleanup && layer) recordCleanupFigures(run, cleanup.log, layer);

  let relaunchStop: { name: string; clean: boolean } | undefined;
  if (relaunched) {
    const stopped = await run.phase('relaunched target stops', watchBudget(target.stop.deadlineMs), () => stopTarget(relaunched!));
    relaunchStop = { name: stopped.exit.name, clean: stopped.exit.kind === 'clean' && !stopped.escalated };
  }
  // Judged once every process this run launched has ended (a stop still under way is not a leftover).
  const final = await session.finalSnapshot('final inventory');
  const finalDiff = diffSnapshots(baseline, final);

  const observation: TappingObservation = {
    kind: 'tapping-fault',
    target: { name: target.name, pid: subject.pid },
    fault: { label: spec.label, ...(spec.deadlineMs !== undefined && { deadlineMs: spec.deadlineMs }) },
    bugs: options.bugs,
    objectsBefore: before.objects.filter((o) => o.ownerPid === subject.pid).map((o) => o.name),
    ...(spec.expectTaps !== undefined && {
      taps: {
        expected: spec.expectTaps,
        seen: [...new Set(before.objects.filter((o) => o.ownerPid === subject.pid && o.kind === 'pulse-module').map((o) => o.name))],
      },
    }),
    ...(eachResumed && { victims: eachResumed }),
    exit,
    expectedExit: spec.expectExit(exit),
    exitMs,
    resumeLimitMs: resumeLimit,
    ...(resumeMs !== undefined && { resumeMs }),
    ...(relaunched && { relaunch: { ...(relaunchResumeMs !== undefined && { resumeMs: relaunchResumeMs }), stopped: relaunchStop! } }),
    left: after.objects.filter((o) => o.ownerPid === subject.pid),
    notBaseline: finalDiff.added,
    ...(cleanup &&
      layer && { cleanup: { layer, ...(spec.engine?.expectLayer && { expectLayer: spec.engine.expectLayer }), log: cleanup.log } }),
  };
  const judged = judgeTapping(observation, options.scenario);
  for (const c of judged.checks) run.check(c);
  if (judged.diagnosis) run.diagnosis = judged.diagnosis;

  // Evidence.
  await session.attachTimeline(
    `${options.scenario} run ${ctx.repetition}: victim ${cap.frequencyHz} Hz through ${spec.label}`,
    markers,
    deadlines,
    judged.checks,
  );
  await run.attach('around-fault', 'wav', wavAround(cap, faultAt, 300, 700));
  const log = spec.engine ? 'engine' : 'target'; // engine.log, as reports named it before targets were generic
  await run.attach(log, 'log', subject.child.outputTail(400));
  if (relaunched) await run.attach(`${log}-relaunched`, 'log', relaunched.child.outputTail(200));
  await run.attach('inventory', 'json', JSON.stringify({ baseline, before, after, final }, null, 2));
  await run.attach('observation', 'json', JSON.stringify(observation, null, 2));
  if (coreDir) {
    const core = await readCore(coreDir, target.command[0]!);
    if (core.file) await run.attach('core-backtrace', 'text', core.text);
    run.fact(
      'core',
      core.file
        ? `${core.file} read with gdb (core-backtrace.txt), then deleted`
        : `${core.text}; the target's own output is in ${log}.log`,
    );
  }

  await session.sweepLeftovers(finalDiff);
  return {
    target: subject,
    relaunched,
    exit,
    log: cleanup?.log,
    layer,
    resumeMs,
    exitMs,
    failed: judged.checks.filter((c) => c.verdict !== 'pass'),
  };
}

// The silence the fault caused starts by the time the process is gone (its playback stops with
// it); an absence that begins later is a glitch of a loaded machine, not the fault's.
async function faultDropout(cap: Capture, faultAt: number, exitAt: number, hz?: number): Promise<ToneWait> {
  const d = await cap.waitFor('absent', { after: faultAt, minRunMs: 10, deadlineMs: Math.max(300, exitAt + 300 - now()), hz });
  return d.ok && d.atMs! > exitAt + 200 ? { ok: false, state: 'absent', waitedMs: d.waitedMs } : d;
}
