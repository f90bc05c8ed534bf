// One fault against a tapping engine, then the three proofs: audio resumes (without a relaunch,
// unless the scenario allows the next launch's sweep), no orphans remain, and the process ended
// the way it should. Which defence layer did the cleaning is read from the engine's own log and
// reported as a fact; scenarios that demand a layer check it.
import { join } from 'node:path';
import { expectation, withinLimit, type CheckResult } from '../../harness/check/check.ts';
import { backToBaseline, noObjectsOf } from '../../harness/check/orphans.ts';
import { timelinePlot, wavAround, type Marker } from '../../harness/evidence/audio.ts';
import { makeCoreDir, readCore } from '../../harness/evidence/core.ts';
import type { Capture, ToneWait } from '../../harness/audio/capture.ts';
import { diffSnapshots } from '../../harness/inventory/snapshot.ts';
import type { ScenarioContext } from '../../harness/scenario/define.ts';
import { cleanupLayer, parseEngineLog, type CleanupLayer, type EngineLog } from '../../harness/target/engine-log.ts';
import { classifyExit, type ExitClass } from '../../harness/target/exit.ts';
import { stopTarget, type RunningTarget } from '../../harness/target/launch.ts';
import { watchBudget } from '../../harness/watchdog/watchdog.ts';
import { now, pollUntil } from '../../harness/wait.ts';
import { EngineSession } from './engine-session.ts';

export interface FaultSpec {
  label: string; // "SIGKILL", "SIGSEGV on the audio thread"
  args?: string[]; // extra engine arguments
  secondary?: boolean; // add the crossfade taps before the fault
  cores?: boolean; // allow a core dump and read it with gdb
  inject(e: RunningTarget, session: EngineSession): Promise<void> | void;
  expectExit(exit: ExitClass): { ok: boolean; expected: string };
  expectLayer?: CleanupLayer; // unset: any layer will do (kill9)
  relaunchIfSilent?: boolean; // kill9: the next launch's sweep is an allowed last resort
}

export interface FaultOutcome {
  engine: RunningTarget;
  relaunched?: RunningTarget;
  exit: ExitClass;
  log: EngineLog;
  layer: CleanupLayer | 'relaunch-sweep';
  resumeMs?: number;
  exitMs: number; // fault to process gone
  failed: CheckResult[];
}

export async function runFault(ctx: ScenarioContext, spec: FaultSpec): Promise<FaultOutcome> {
  const { run, rig, target, options } = ctx;
  const resumeLimit = ctx.params.number('resume_ms');
  const cap = rig.capture;
  const session = new EngineSession(ctx);
  const markers: Marker[] = [];
  const checksBefore = run.checks.length;

  const baseline = await run.phase('baseline inventory', 5000, () => session.snapshot());
  await session.victim();
  const coreDir = spec.cores ? await makeCoreDir(join(run.outDir, `core-run${ctx.repetition}`)) : undefined;
  const engine = await session.launch('engine ready', { args: spec.args, coreDir });
  await session.tapped(engine);
  if (spec.secondary) await session.command(engine, 'secondary', /secondary taps (ready|failed)/);
  const before = await run.phase('inventory before the fault', 5000, () => session.snapshot());
  const mine = before.objects.filter((o) => o.ownerPid === engine.pid);
  run.check(expectation('engine objects on the server before the fault', mine.length > 0, mine.length, '>= 1', 'objects',
    `${mine.length} object(s) of pid ${engine.pid}: ${[...new Set(mine.map((o) => o.name))].join(', ')}`));

  // The fault.
  const faultAt = now();
  markers.push({ at: faultAt, label: spec.label });
  await spec.inject(engine, session);
  const ended = await run.phase('engine ends', 5000, () => engine.child.exited);
  const exit = classifyExit(ended);
  const want = spec.expectExit(exit);
  run.fact('exit', `${exit.name} (${exit.description})`);
  run.check(expectation(`exit is ${want.expected}`, want.ok, exit.name, want.expected, '', `engine exit after ${spec.label}: ${exit.name} (${exit.description})`));
  const exitMs = ended.endedAt - faultAt;
  run.metric('exit_ms', exitMs);

  // Audio: the dropout, then the tone back, with no relaunch.
  const dropout = await faultDropout(cap, faultAt, ended.endedAt);
  let resumed = await run.phase('audio resumes', resumeLimit + 1500, () =>
    cap.waitFor('present', { after: dropout.ok ? dropout.atMs! : faultAt, minRunMs: 50, deadlineMs: resumeLimit }));
  let relaunched: RunningTarget | undefined;
  // The guardian shares the engine's stdout, so its words arrive just after the engine's death.
  const readLog = () => parseEngineLog(engine.child.outputTail(400));
  const log = (await pollUntil(() => { const l = readLog(); return cleanupLayer(l) !== 'none' ? l : undefined; }, { deadlineMs: resumed.ok ? 500 : 0 })).value ?? readLog();
  let layer: FaultOutcome['layer'] = cleanupLayer(log);
  if (!resumed.ok && spec.relaunchIfSilent) {
    const relaunchAt = now();
    markers.push({ at: relaunchAt, label: 'relaunch' });
    relaunched = await session.launch('relaunch ready');
    resumed = await run.phase('audio resumes after relaunch', resumeLimit + 1500, () =>
      cap.waitFor('present', { after: relaunchAt, minRunMs: 50, deadlineMs: resumeLimit }));
    const swept = parseEngineLog(relaunched.child.outputTail(200)).swept.filter((s) => s.creatorPid === engine.pid);
    if (swept.length) layer = 'relaunch-sweep';
    run.check(withinLimit('tone resumed after relaunch', resumed.ok ? resumed.atMs! - relaunchAt : undefined, resumeLimit, 'ms', 'relaunch to victim tone present'));
  }
  const resumeMs = resumed.ok ? Math.max(0, resumed.atMs! - faultAt) : undefined;
  if (resumed.ok) markers.push({ at: resumed.atMs!, label: 'resumed' });
  run.metric('audio_resume_ms', resumeMs);
  if (dropout.ok) run.metric('silence_ms', (resumed.ok ? resumed.atMs! : now()) - dropout.atMs!);
  run.fact('cleaned_by', layer);
  if (!relaunched) {
    run.check(withinLimit('tone resumed without a relaunch', resumeMs, resumeLimit, 'ms', `${spec.label} to victim tone present`));
  }

  // Orphans: asked of the server, allowing the cleanup a moment to land.
  const after = await session.snapshotWhenGone('inventory after the fault', engine.pid);
  run.check(noObjectsOf('no orphans of the engine', after.objects, engine.pid, `after ${spec.label}${relaunched ? ' and the relaunch' : ''}`));

  if (spec.expectLayer) {
    run.check(expectation(`cleaned by the ${spec.expectLayer}`, layer === spec.expectLayer, layer, spec.expectLayer, '',
      `the engine's taps were destroyed by: ${layer}`));
  }
  if (log.crashGuard) {
    const f = log.crashGuard.failures;
    run.check(expectation('crash guard destroyed only live objects', f.length === 0, f.length, 0, 'failed destroys',
      f.length === 0 ? `crash guard destroyed ${log.crashGuard.destroyed} of ${log.crashGuard.tracked} in ${log.crashGuard.ms ?? '?'} ms`
        : `crash guard tried to destroy ${f.map((x) => `module ${x.module} (${x.reason})`).join(', ')}: already destroyed yet still tracked`));
    run.metric('crashguard_ms', log.crashGuard.ms);
  }
  if (log.guardian) run.metric('guardian_ms', log.guardian.ms);

  if (relaunched) {
    const stopped = await run.phase('relaunched engine stops', watchBudget(target.stop.deadlineMs), () => stopTarget(relaunched!));
    const stopExit = classifyExit(stopped);
    run.check(expectation('relaunched engine stops cleanly', stopExit.kind === 'clean' && !stopped.escalated, stopExit.name, 'exit 0', '', `relaunched engine: ${stopExit.name}`));
  }
  const final = await run.phase('final inventory', 5000, () => session.snapshot());
  const finalDiff = diffSnapshots(baseline, final);
  run.check(backToBaseline('inventory back to baseline', finalDiff));

  // Evidence.
  await run.attach('timeline', 'svg', timelinePlot(cap, `${options.scenario}: victim ${cap.frequencyHz} Hz through ${spec.label}`, markers, faultAt - 500, now()));
  await run.attach('around-fault', 'wav', wavAround(cap, faultAt, 300, 700));
  await run.attach('engine', 'log', engine.child.outputTail(400));
  if (relaunched) await run.attach('engine-relaunched', 'log', relaunched.child.outputTail(200));
  await run.attach('inventory', 'json', JSON.stringify({ baseline, before, after, final }, null, 2));
  if (coreDir) {
    const core = await readCore(coreDir, target.command[0]!);
    if (core.file) await run.attach('core-backtrace', 'text', core.text);
    run.fact('core', core.file ? `${core.file} read with gdb (core-backtrace.txt), then deleted` : `${core.text}; the crash guard's backtrace is in engine.log`);
  }

  await session.sweepLeftovers(finalDiff);
  const failed = run.checks.slice(checksBefore).filter((c) => c.verdict !== 'pass');
  return { engine, relaunched, exit, log, layer, resumeMs, exitMs, failed };
}

// The silence the fault caused starts by the time the process is gone (its playback stops with
// it); an absence that begins later is a glitch of a loaded machine, not the fault's.
export async function faultDropout(cap: Capture, faultAt: number, exitAt: number, hz?: number): Promise<ToneWait> {
  const d = await cap.waitFor('absent', { after: faultAt, minRunMs: 10, deadlineMs: Math.max(300, exitAt + 300 - now()), hz });
  return d.ok && d.atMs! > exitAt + 200 ? { ok: false, state: 'absent', waitedMs: d.waitedMs } : d;
}
