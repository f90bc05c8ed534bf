// The reference engine's optional steps (the adapter): proof that it tapped the victim, and who
// did the cleaning after a fault, read from its own log. Only targets with the `reference-engine`
// and `taps-victim` traits get these; the verdicts still come from the rig and the OS.
import { heardThroughCheck, tappedCheck } from '../../harness/check/proofs.ts';
import type { ScenarioRun } from '../../harness/scenario/run.ts';
import { cleanupLayer, parseEngineLog, type CleanupLayer, type EngineLog } from '../../harness/target/reference/engine-log.ts';
import type { RunningTarget } from '../../harness/target/launch.ts';
import { now, pollUntil } from '../../harness/wait.ts';
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
