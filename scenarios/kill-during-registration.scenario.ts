// kill-during-registration: the hole muesli #387 found in FineTune's defences. A kill in the few
// milliseconds between creating a server object and tracking it leaves an object the app's own
// list (and so its guardian) cannot know. The engine stops dead (SIGSTOP) at a chosen point of
// start-up, hilt SIGKILLs it there, and the next launch must bring the server's inventory back
// to baseline: only a sweep that asks the server can. Points come in a seeded order (--seed).
// Not the fault pipeline (lib/pipeline.ts): one repetition is many kill-and-relaunch rounds.
import {
  judgeKillDuringRegistration,
  KILL_POINTS,
  registrationWindow,
  type KillDuringRegistrationObservation,
  type KillRound,
} from '../harness/check/kill-during-registration.ts';
import { describeObject } from '../harness/inventory/objects.ts';
import { diffSnapshots } from '../harness/inventory/snapshot.ts';
import { platform } from '../harness/platform/index.ts';
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { coveringSequence } from '../harness/scenario/random.ts';
import { parseEngineLog } from '../harness/target/reference/engine-log.ts';
import { stopTarget } from '../harness/target/launch.ts';
import { now, pollUntil } from '../harness/wait.ts';
import { TargetSession } from './lib/target-session.ts';

// The kill to the victim's tone back, in every round.
const RESUME_LIMIT_MS = 1000;

defineScenario(SCENARIOS['kill-during-registration'], async (ctx) => {
  const { run, rig, options, target } = ctx;
  const n = ctx.params.number('iterations');
  if (n < KILL_POINTS.length) throw new Error(`--set iterations=${n}: at least ${KILL_POINTS.length}, one per point`);
  const order = coveringSequence(KILL_POINTS, n, ctx.seed);
  run.fact('order', `seed ${ctx.seed}: ${order.join(', ')}`);
  const session = new TargetSession(ctx);
  const cap = rig.capture;

  const baseline = await run.phase('baseline inventory', 5000, () => session.snapshot());
  await session.victim();
  const rounds: KillRound[] = [];

  for (const [i, point] of order.entries()) {
    const round = await run.phase(`round ${i + 1}: kill at ${point}`, 15_000, async () => {
      const e = await session.launch(`launch paused at ${point}`, { env: { HILT_ENGINE_PAUSE_AT: point }, readyLine: /pause: stopped at/ });
      // The engine prints the line, then stops itself: kill it only once it is really stopped.
      await pollUntil(async () => (await stoppedState(e.pid)) || undefined, { deadlineMs: 1000, intervalMs: 2 });
      const killAt = now();
      e.child.signal('SIGKILL');
      const ended = (await e.child.exited).exit;
      if (ended.signal !== 'SIGKILL') throw new Error(`engine paused at ${point} ended with ${ended.name}, not SIGKILL`);
      const back = await cap.waitFor('present', { after: killAt, minRunMs: 50, deadlineMs: RESUME_LIMIT_MS });
      // The guardian (when there is one) reports within milliseconds of the death; then ask
      // the server, not the engine, what the dead pid left.
      await pollUntil(() => parseEngineLog(e.child.outputTail(100)).guardian !== undefined || undefined, {
        deadlineMs: 500,
        intervalMs: 5,
      });
      const leftAfterKill = (await session.snapshot()).objects
        .filter((o) => o.ownerPid === e.pid && o.kind === 'pulse-module')
        .map((o) => o.name);

      const next = await session.launch('relaunch');
      const afterRelaunch = await session.snapshot();
      const left = afterRelaunch.objects.filter((o) => o.ownerPid === e.pid);
      const swept = parseEngineLog(next.child.outputTail(200))
        .swept.filter((s) => s.creatorPid === e.pid)
        .map((s) => s.name);
      const stopped = await stopTarget(next);
      if (stopped.exit.kind !== 'clean') throw new Error(`relaunched engine did not stop cleanly: ${stopped.exit.name}`);
      return {
        point,
        pid: e.pid,
        leftAfterKill,
        leftAfterRelaunch: left.map(describeObject),
        sweptByRelaunch: swept,
        resumeMs: back.ok ? Math.max(0, back.atMs! - killAt) : undefined,
      } satisfies KillRound;
    });
    rounds.push(round);
    run.metric('audio_resume_ms', round.resumeMs);
  }

  const final = await run.phase('final inventory', 5000, () => session.snapshot());
  const finalDiff = diffSnapshots(baseline, final);
  const observation: KillDuringRegistrationObservation = {
    kind: 'kill-during-registration',
    target: { name: target.name },
    bugs: options.bugs,
    seed: ctx.seed,
    resumeLimitMs: RESUME_LIMIT_MS,
    rounds,
    notBaseline: finalDiff.added,
  };
  await run.attach('observation', 'json', JSON.stringify(observation, null, 2));
  run.fact('registration_window', registrationWindow(rounds));
  const judged = judgeKillDuringRegistration(observation);
  for (const c of judged.checks) run.check(c);
  if (judged.diagnosis) run.diagnosis = judged.diagnosis;
  await session.sweepLeftovers(finalDiff);
});

// State 'T': stopped by a signal (our SIGSTOP), not merely slow.
async function stoppedState(pid: number): Promise<boolean> {
  return (await platform.process(pid))?.state === 'T';
}
