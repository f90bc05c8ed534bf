// kill-during-registration: the hole muesli #387 found in FineTune's defences. A kill in the few
// milliseconds between creating a server object and tracking it leaves an object the app's own
// list (and so its guardian) cannot know. The engine stops dead (SIGSTOP) at a chosen point of
// start-up, hilt SIGKILLs it there, and the next launch must bring the server's inventory back
// to baseline: only a sweep that asks the server can. Points come in a seeded order (--seed).
// Not the fault pipeline (lib/pipeline.ts): one repetition is many kill-and-relaunch rounds.
import { expectation, withinLimit } from '../harness/check/check.ts';
import { backToBaseline } from '../harness/check/orphans.ts';
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

const POINTS = ['before-create', 'after-create', 'after-track'] as const;
type Point = (typeof POINTS)[number];
const MEANING: Record<Point, string> = {
  'before-create': 'nothing created yet',
  'after-create': "tap created on the server, not yet tracked: invisible to the engine's own list and to its guardian",
  'after-track': 'tap created and tracked: the guardian knows it',
};

interface Round {
  point: Point;
  pid: number;
  leftAfterKill: string[]; // taps of the killed pid still on the server right after the kill
  leftAfterRelaunch: string[];
  sweptByRelaunch: string[];
  resumeMs?: number;
}

defineScenario(SCENARIOS['kill-during-registration'], async (ctx) => {
  const { run, rig, options } = ctx;
  const n = ctx.params.number('iterations');
  if (n < POINTS.length) throw new Error(`--set iterations=${n}: at least ${POINTS.length}, one per point`);
  const order = coveringSequence(POINTS, n, ctx.seed);
  run.fact('order', `seed ${ctx.seed}: ${order.join(', ')}`);
  const session = new TargetSession(ctx);
  const cap = rig.capture;

  const baseline = await run.phase('baseline inventory', 5000, () => session.snapshot());
  await session.victim();
  const rounds: Round[] = [];

  for (const [i, point] of order.entries()) {
    const round = await run.phase(`round ${i + 1}: kill at ${point}`, 15_000, async () => {
      const e = await session.launch(`launch paused at ${point}`, { env: { HILT_ENGINE_PAUSE_AT: point }, readyLine: /pause: stopped at/ });
      // The engine prints the line, then stops itself: kill it only once it is really stopped.
      await pollUntil(async () => (await stoppedState(e.pid)) || undefined, { deadlineMs: 1000, intervalMs: 2 });
      const killAt = now();
      e.child.signal('SIGKILL');
      const ended = (await e.child.exited).exit;
      if (ended.signal !== 'SIGKILL') throw new Error(`engine paused at ${point} ended with ${ended.name}, not SIGKILL`);
      const back = await cap.waitFor('present', { after: killAt, minRunMs: 50, deadlineMs: 1000 });
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
      } satisfies Round;
    });
    rounds.push(round);
    run.metric('audio_resume_ms', round.resumeMs);
  }

  for (const point of POINTS) {
    const mine = rounds.filter((r) => r.point === point);
    const bad = mine.filter((r) => r.leftAfterRelaunch.length > 0);
    run.check({
      ...expectation(
        'baseline-after-kill',
        `back to baseline after a kill at ${point}`,
        bad.length === 0,
        `${bad.length} of ${mine.length}`,
        `0 of ${mine.length}`,
        'rounds left objects',
        bad.length === 0
          ? `${mine.length} round(s); ${MEANING[point]}`
          : bad.map((r) => `pid ${r.pid}: ${r.leftAfterRelaunch.join('; ')}`).join('\n'),
      ),
      subject: point,
    });
  }
  const hole = rounds.filter((r) => r.point === 'after-create' && r.leftAfterKill.length > 0);
  run.fact(
    'registration_window',
    hole.length
      ? `${hole.length} kill(s) after create left a tap the guardian could not see ` +
          `(${hole.map((r) => r.leftAfterKill.join(',')).join('; ')}); ` +
          `removed by: ${hole.every((r) => r.sweptByRelaunch.length) ? 'the relaunch sweep' : 'nobody'}`
      : 'no object left in the registration window',
  );
  const worst = Math.max(...rounds.map((r) => r.resumeMs ?? Number.POSITIVE_INFINITY));
  run.check(
    withinLimit(
      'victim-resumed',
      'victim heard after every kill',
      Number.isFinite(worst) ? worst : undefined,
      1000,
      'ms',
      'SIGKILL to tone present (worst round)',
    ),
  );

  const final = await run.phase('final inventory', 5000, () => session.snapshot());
  const finalDiff = diffSnapshots(baseline, final);
  run.check(backToBaseline(finalDiff.added));
  await run.attach('rounds', 'json', JSON.stringify(rounds, null, 2));

  // Other failures keep the run's default diagnosis: the failed checks.
  const failedPoints = POINTS.filter((p) => rounds.some((r) => r.point === p && r.leftAfterRelaunch.length));
  if (failedPoints.length) {
    const r = rounds.find((x) => failedPoints.includes(x.point) && x.leftAfterRelaunch.length)!;
    run.diagnosis =
      `a SIGKILL at ${failedPoints.join(' and ')} left objects that survived the next launch ` +
      `(e.g. pid ${r.pid}: ${r.leftAfterRelaunch[0]}). ` +
      `${r.point === 'after-create' ? 'The tap was created but not yet tracked, so the guardian could not know it (muesli #387); ' : ''}` +
      `the relaunched engine swept ${r.sweptByRelaunch.length ? r.sweptByRelaunch.join(', ') : 'nothing'}: ` +
      `its start-up sweep is missing (no-sweep). Seed ${ctx.seed} replays this order.`;
  }
  await session.sweepLeftovers(finalDiff);
});

// State 'T': stopped by a signal (our SIGSTOP), not merely slow.
async function stoppedState(pid: number): Promise<boolean> {
  return (await platform.process(pid))?.state === 'T';
}
