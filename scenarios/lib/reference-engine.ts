// The reference engine's optional steps (the adapter): proof that it tapped the victim, and who
// did the cleaning after a fault, read from its own log. Only targets with the `reference-engine`
// and `taps-victim` traits get these; the verdicts still come from the rig and the OS.
import { heardThroughCheck, tappedCheck } from '../../harness/check/proofs.ts';
import type { GuardianFirst } from '../../harness/check/tapping.ts';
import { HiltError } from '../../harness/errors.ts';
import type { ScenarioRun } from '../../harness/scenario/run.ts';
import { cleanupLayer, parseEngineLog, type CleanupLayer, type EngineLog } from '../../harness/target/reference/engine-log.ts';
import type { RunningTarget } from '../../harness/target/launch.ts';
import { now, pollUntil } from '../../harness/wait.ts';
import type { RunRecord } from './pipeline.ts';
import { VICTIM, type TargetSession } from './target-session.ts';

// The victim's stream sits in one of this engine's taps (`<prefix>-<pid>[-…]`) and is heard
// through the engine's playback: proof that the fault will bite.
export async function tapped(session: TargetSession, e: RunningTarget, victims?: { name: string; hz: number }[]): Promise<void> {
  const { run, rig, target, params } = session.ctx;
  const list = victims ?? [{ name: VICTIM, hz: rig.capture.frequencyHz }];
  const deadline = params.number('tap_ms');
  await run.phase('engine tapping', deadline + 3500 * list.length, async () => {
    for (const v of list) {
      // Polled with the check itself: one definition of "in a tap of this engine".
      const at = (sink: string | undefined, waitedMs = 0) =>
        tappedCheck({ victim: v.name, prefix: target.prefix, pid: e.pid, sink, waitedMs });
      let sink: string | undefined;
      const moved = await pollUntil(async () => at((sink = await rig.routeOf(v.name))).verdict === 'pass', {
        deadlineMs: deadline,
        intervalMs: 10,
      });
      if (moved.ok) run.event(`${v.name} moved into the tap`);
      run.check(at(sink, moved.waitedMs));
    }
    for (const v of list) {
      // 50 ms steady: the engine's loop-back can drop a 10 ms window now and then under load.
      const through = await rig.capture.waitFor('present', { after: now(), minRunMs: 50, deadlineMs: 3000, hz: v.hz });
      run.check(heardThroughCheck({ victim: v.name, heard: through.ok }));
    }
  });
}

// Who destroyed the taps after a fault, in the engine's words. The guardian shares the engine's
// stdout, so its lines arrive just after the engine's death: wait for them a moment when asked.
export async function readCleanup(e: RunningTarget, waitMs: number): Promise<{ log: EngineLog; layer: CleanupLayer }> {
  const read = () => parseEngineLog(e.child.outputTail(400));
  const log =
    (
      await pollUntil(
        () => {
          const l = read();
          return cleanupLayer(l) !== 'none' ? l : undefined;
        },
        { deadlineMs: waitMs },
      )
    ).value ?? read();
  return { log, layer: cleanupLayer(log) };
}

// Did the relaunched engine's start-up sweep remove what the dead one (pid) left?
export const sweptAtRelaunch = (relaunched: RunningTarget, deadPid: number): boolean =>
  parseEngineLog(relaunched.child.outputTail(200)).swept.some((s) => s.creatorPid === deadPid);

// The cleanup figures the engine reports (its checks are judged in harness/check/tapping.ts).
export function recordCleanupFigures(run: ScenarioRun, log: EngineLog, layer: CleanupLayer | 'relaunch-sweep'): void {
  run.fact('cleaned_by', layer);
  if (log.crashGuard) run.metric('crashguard_ms', log.crashGuard.ms);
  if (log.guardian) run.metric('guardian_ms', log.guardian.ms);
}

// kill9 --set first=guardian: SIGKILL the engine's guardian (as an OOM killer or a killall would),
// then wait, up to notice_ms, for the engine's line saying what it did about it: a new guardian
// tracking every tap, or none. Measured from the kill to that line; the judge reads the rest.
export async function killGuardianFirst(session: TargetSession, e: RunningTarget, rec: RunRecord): Promise<GuardianFirst> {
  const { run, params, target } = session.ctx;
  const limitMs = params.number('notice_ms');
  const log = parseEngineLog(e.child.outputTail(400));
  const pid = log.guardianPid;
  if (!pid) {
    throw new HiltError('INTERNAL', `${target.name} (pid ${e.pid}) named no guardian to kill first`, {
      expected: 'a line "guardian: started pid N" in its output before it was ready',
      seen: e.child.outputTail(20),
      hint: 'check that the engine was built from this tree (pnpm -s build:native) and starts its guardian',
    });
  }
  const taps = log.created.filter((c) => !log.destroyed.some((d) => d.module === c.module)).length;
  return run.phase(`${target.name} notices its guardian's death`, limitMs + 1000, async () => {
    const said = e.child.nextLine(new RegExp(`guardian: pid ${pid} died`));
    const killedAt = now();
    process.kill(pid, 'SIGKILL');
    rec.mark(killedAt, `guardian ${pid} SIGKILLed`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const line = await Promise.race([said, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), limitMs)))]);
    clearTimeout(timer);
    const noticedMs = line === undefined ? undefined : now() - killedAt;
    if (noticedMs !== undefined) rec.mark(killedAt + noticedMs, 'engine noticed');
    run.metric('guardian_noticed_ms', noticedMs);
    run.event(`guardian pid ${pid} SIGKILLed; the engine ${line ? `said: ${line.replace(/^.*?ms guardian: /, '')}` : 'said nothing'}`);
    const death = line === undefined ? undefined : parseEngineLog(line).guardianDeath;
    return { pid, taps, limitMs, ...(noticedMs !== undefined && { noticedMs }), ...(death && { said: death }) };
  });
}
