// One fault against a running target, then the three proofs: audio resumes (without a relaunch,
// unless the scenario allows one), no orphans remain, and the process ended the way it should.
// The flow is generic (launch, inject, exit, inventory, orphans, the victim's audio); what only
// the reference engine can show (that it tapped the victim, which defence layer cleaned up)
// comes from its adapter (reference-engine.ts) when the spec asks for it.
import { join } from 'node:path';
import { expectation, withinLimit, type CheckResult } from '../../harness/check/check.ts';
import { backToBaseline, noObjectsOf } from '../../harness/check/orphans.ts';
import { timelinePlot, wavAround, type Marker } from '../../harness/evidence/audio.ts';
import { makeCoreDir, readCore } from '../../harness/evidence/core.ts';
import type { Capture, ToneWait } from '../../harness/audio/capture.ts';
import { diffSnapshots } from '../../harness/inventory/snapshot.ts';
import type { ExitClass } from '../../harness/proc/exit.ts';
import type { ScenarioContext } from '../../harness/scenario/define.ts';
import type { CleanupLayer, EngineLog } from '../../harness/target/reference/engine-log.ts';
import { stopTarget, type RunningTarget } from '../../harness/target/launch.ts';
import { watchBudget } from '../../harness/watchdog/watchdog.ts';
import { now } from '../../harness/wait.ts';
import { readCleanup, recordCleanup, sweptAtRelaunch, tapped } from './reference-engine.ts';
import { TargetSession } from './target-session.ts';

export interface FaultSpec {
  label: string; // "SIGKILL", "SIGSEGV on the audio thread"
  args?: string[]; // extra target arguments
  cores?: boolean; // allow a core dump and read it with gdb
  inject(t: RunningTarget, session: TargetSession): Promise<void> | void;
  expectExit(exit: ExitClass): { ok: boolean; expected: string };
  relaunchIfSilent?: boolean; // kill9: the next launch's sweep is an allowed last resort
  // The reference engine's steps: prove the tap first, then say (and check) who cleaned up.
  engine?: { secondary?: boolean; expectLayer?: CleanupLayer };
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
  const checksBefore = run.checks.length;

  const baseline = await run.phase('baseline inventory', 5000, () => session.snapshot());
  await session.victim();
  const coreDir = spec.cores ? await makeCoreDir(join(run.outDir, `core-run${ctx.repetition}`)) : undefined;
  const subject = await session.launch(`${target.name} ready`, { args: spec.args, coreDir });
  if (spec.engine) {
    await tapped(session, subject);
    if (spec.engine.secondary) await session.command(subject, 'secondary', /secondary taps (ready|failed)/);
  }
  const before = await run.phase('inventory before the fault', 5000, () => session.snapshot());
  const mine = before.objects.filter((o) => o.ownerPid === subject.pid);
  run.check(
    expectation(
      'objects-before-fault',
      'target objects on the server before the fault',
      mine.length > 0,
      mine.length,
      '>= 1',
      'objects',
      `${mine.length} object(s) of pid ${subject.pid}: ${[...new Set(mine.map((o) => o.name))].join(', ')}`,
    ),
  );

  // The fault.
  const faultAt = now();
  markers.push({ at: faultAt, label: spec.label });
  await spec.inject(subject, session);
  const ended = await run.phase(`${target.name} ends`, 5000, () => subject.child.exited);
  const exit = ended.exit;
  const want = spec.expectExit(exit);
  run.fact('exit', `${exit.name} (${exit.description})`);
  run.check(
    expectation(
      'exit',
      `exit is ${want.expected}`,
      want.ok,
      exit.name,
      want.expected,
      '',
      `${target.name} exit after ${spec.label}: ${exit.name} (${exit.description})`,
    ),
  );
  const exitMs = ended.endedAt - faultAt;
  run.metric('exit_ms', exitMs);

  // Audio: the dropout, then the tone back, with no relaunch.
  const dropout = await faultDropout(cap, faultAt, ended.endedAt);
  let resumed = await run.phase('audio resumes', resumeLimit + 1500, () =>
    cap.waitFor('present', { after: dropout.ok ? dropout.atMs! : faultAt, minRunMs: 50, deadlineMs: resumeLimit }),
  );
  const cleanup = spec.engine ? await readCleanup(subject, resumed.ok ? 500 : 0) : undefined;
  let layer: FaultOutcome['layer'] = cleanup?.layer;
  let relaunched: RunningTarget | undefined;
  if (!resumed.ok && spec.relaunchIfSilent) {
    const relaunchAt = now();
    markers.push({ at: relaunchAt, label: 'relaunch' });
    relaunched = await session.launch('relaunch ready');
    resumed = await run.phase('audio resumes after relaunch', resumeLimit + 1500, () =>
      cap.waitFor('present', { after: relaunchAt, minRunMs: 50, deadlineMs: resumeLimit }),
    );
    if (spec.engine && sweptAtRelaunch(relaunched, subject.pid)) layer = 'relaunch-sweep';
    run.check(
      withinLimit(
        'resumed-after-relaunch',
        'tone resumed after relaunch',
        resumed.ok ? resumed.atMs! - relaunchAt : undefined,
        resumeLimit,
        'ms',
        'relaunch to victim tone present',
      ),
    );
  }
  const resumeMs = resumed.ok ? Math.max(0, resumed.atMs! - faultAt) : undefined;
  if (resumed.ok) markers.push({ at: resumed.atMs!, label: 'resumed' });
  run.metric('audio_resume_ms', resumeMs);
  if (dropout.ok) run.metric('silence_ms', (resumed.ok ? resumed.atMs! : now()) - dropout.atMs!);
  if (!relaunched) {
    run.check(
      withinLimit('resumed', 'tone resumed without a relaunch', resumeMs, resumeLimit, 'ms', `${spec.label} to victim tone present`),
    );
  }

  // Orphans: asked of the server, allowing the cleanup a moment to land.
  const after = await session.snapshotWhenGone('inventory after the fault', subject.pid);
  run.check(
    noObjectsOf(
      'no-orphans',
      'no orphans of the target',
      after.objects,
      subject.pid,
      `after ${spec.label}${relaunched ? ' and the relaunch' : ''}`,
    ),
  );
  if (cleanup && layer) recordCleanup(run, cleanup.log, layer, spec.engine?.expectLayer);

  if (relaunched) {
    const stopped = await run.phase('relaunched target stops', watchBudget(target.stop.deadlineMs), () => stopTarget(relaunched!));
    run.check(
      expectation(
        'relaunch-clean-stop',
        'relaunched target stops cleanly',
        stopped.exit.kind === 'clean' && !stopped.escalated,
        stopped.exit.name,
        'exit 0',
        '',
        `relaunched ${target.name}: ${stopped.exit.name}`,
      ),
    );
  }
  // Judged once every process this run launched has ended (a stop still under way is not a leftover).
  const final = await session.finalSnapshot('final inventory');
  const finalDiff = diffSnapshots(baseline, final);
  run.check(backToBaseline('back-to-baseline', 'inventory back to baseline', finalDiff));

  // Evidence.
  await run.attach(
    'timeline',
    'svg',
    timelinePlot(cap, `${options.scenario}: victim ${cap.frequencyHz} Hz through ${spec.label}`, markers, faultAt - 500, now()),
  );
  await run.attach('around-fault', 'wav', wavAround(cap, faultAt, 300, 700));
  const log = spec.engine ? 'engine' : 'target'; // engine.log, as reports named it before targets were generic
  await run.attach(log, 'log', subject.child.outputTail(400));
  if (relaunched) await run.attach(`${log}-relaunched`, 'log', relaunched.child.outputTail(200));
  await run.attach('inventory', 'json', JSON.stringify({ baseline, before, after, final }, null, 2));
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
  const failed = run.checks.slice(checksBefore).filter((c) => c.verdict !== 'pass');
  return { target: subject, relaunched, exit, log: cleanup?.log, layer, resumeMs, exitMs, failed };
}

// The silence the fault caused starts by the time the process is gone (its playback stops with
// it); an absence that begins later is a glitch of a loaded machine, not the fault's.
export async function faultDropout(cap: Capture, faultAt: number, exitAt: number, hz?: number): Promise<ToneWait> {
  const d = await cap.waitFor('absent', { after: faultAt, minRunMs: 10, deadlineMs: Math.max(300, exitAt + 300 - now()), hz });
  return d.ok && d.atMs! > exitAt + 200 ? { ok: false, state: 'absent', waitedMs: d.waitedMs } : d;
}
