// freeze: the engine stops dead while it taps a victim (a cgroup freeze, else SIGSTOP: what a
// debugger, a laptop's suspend or an overloaded host does to an app), then goes on. Its taps must
// be the same afterwards: an engine that "recovers" from a stall by making its taps again, without
// removing the old ones, leaves two taps of one app (double audio) and an object nobody removes.
// Not the fault pipeline (lib/pipeline.ts): the target lives on through the fault.
import { judgeFreeze, type FreezeObservation } from '../harness/check/freeze.ts';
import { diffSnapshots, type Snapshot } from '../harness/inventory/snapshot.ts';
import { defineScenario, type ScenarioContext } from '../harness/scenario/define.ts';
import { leftovers } from '../harness/inventory/leftovers.ts';
import type { InventoryObject } from '../harness/inventory/objects.ts';
import { stopTarget, type RunningTarget } from '../harness/target/launch.ts';
import { watchBudget } from '../harness/watchdog/watchdog.ts';
import { now } from '../harness/wait.ts';
import { SCENARIOS } from './manifest.ts';
import { adapterFor } from './lib/targets/adapter.ts';
import { ownerOf } from './lib/targets/black-box.ts';
import { tapped } from './lib/reference-engine.ts';
import { TargetSession } from './lib/target-session.ts';

// Frozen or thawed by its group where it has one (nothing it could see), else by SIGSTOP/SIGCONT.
async function setFrozen(e: RunningTarget, frozen: boolean): Promise<void> {
  if (!e.group) return void e.child.signal(frozen ? 'SIGSTOP' : 'SIGCONT');
  const r = await e.group.freeze(frozen, 2000);
  if (!r.ok) throw new Error(`cgroup.freeze=${frozen ? 1 : 0} not done within 2000 ms for ${e.group.path}`);
}

// The fault: frozen for holdMs, whatever was seen meanwhile (`whileFrozen`, from the freeze on), then
// thawed. By its group where it has one, else by SIGSTOP; said in the facts and the run's events.
async function freezeFor<T>(
  ctx: ScenarioContext,
  t: RunningTarget,
  holdMs: number,
  whileFrozen: (frozenAt: number) => Promise<T>,
): Promise<{ how: FreezeObservation['how']; frozenAt: number; thawAt: number; seen: T }> {
  const how = t.group ? 'cgroup.freeze' : 'SIGSTOP';
  ctx.run.fact('freeze', `${how} for ${holdMs} ms`);
  const frozenAt = now();
  ctx.run.event(`frozen (${how})`);
  await setFrozen(t, true);
  const seen = await whileFrozen(frozenAt);
  await new Promise((r) => setTimeout(r, Math.max(0, frozenAt + holdMs - now()))); // the fault is a duration
  await setFrozen(t, false);
  const thawAt = now();
  ctx.run.event('thawed');
  return { how, frozenAt, thawAt, seen };
}

// Still running after the thaw? Then stopped the way it stops, so what it made (old objects and
// any new ones) is its to remove; the final inventory once it is gone.
async function stopAfterThaw(
  ctx: ScenarioContext,
  session: TargetSession,
  t: RunningTarget,
): Promise<{ aliveAfter: boolean; final: Snapshot }> {
  const aliveAfter = t.child.done === undefined;
  const stopped = await ctx.run.phase(`${ctx.target.name} stops`, watchBudget(ctx.target.stop.deadlineMs), () => stopTarget(t));
  ctx.run.fact('stop', stopped.exit.name);
  return { aliveAfter, final: await session.finalSnapshot('final inventory') };
}

// The target's kind decides what is listened for (scenarios/lib/targets/adapter.ts's traits).
defineScenario(SCENARIOS.freeze, (ctx) => (adapterFor(ctx).kind === 'reference engine' ? freezeEngine(ctx) : freezeBlackBox(ctx)));

// The reference engine: the victim it taps goes silent while it is frozen.
async function freezeEngine(ctx: ScenarioContext): Promise<void> {
  const { run, target, options, params } = ctx;
  const holdMs = params.number('ms');
  const resumeLimit = params.number('resume_ms');
  const cap = ctx.rig.capture;
  const session = new TargetSession(ctx);
  const own = (s: Snapshot, pid: number) => s.objects.filter((o) => o.ownerPid === pid).map((o) => o.name);

  const baseline = await run.phase('baseline inventory', 5000, () => session.snapshot());
  await session.victim();
  const e = await session.launch(`${target.name} ready`);
  await tapped(session, e);
  const before = await run.phase('inventory before the freeze', 5000, () => session.snapshot());
  const {
    how,
    frozenAt,
    thawAt,
    seen: silent,
  } = await freezeFor(ctx, e, holdMs, (at) => cap.waitFor('absent', { after: at, minRunMs: 10, deadlineMs: holdMs }));
  const back = await run.phase('audio resumes after the thaw', resumeLimit + 1500, () =>
    cap.waitFor('present', { after: thawAt, minRunMs: 50, deadlineMs: resumeLimit }),
  );
  if (silent.ok) run.metric('silence_ms', (back.ok ? back.atMs! : now()) - silent.atMs!);
  // Its own account of the stall, then what it did about it, before the server is asked.
  const stallLine = await run.phase(`${target.name} says it stalled`, 3000, () => e.child.waitForLine(/stall: /)).catch(() => undefined);
  if (stallLine?.includes('re-creating')) {
    await run
      .phase(`${target.name} re-makes its taps`, 3000, () => e.child.waitForLine(/tap: created \S+-thaw|re-tap failed/))
      .catch(() => {});
  }
  const after = await run.phase('inventory after the thaw', 5000, () => session.snapshot());
  const { aliveAfter, final } = await stopAfterThaw(ctx, session, e);

  const observation: FreezeObservation = {
    kind: 'freeze',
    target: { name: target.name, pid: e.pid },
    bugs: options.bugs,
    how,
    frozenMs: thawAt - frozenAt,
    ...(silent.ok && { silentAfterMs: Math.max(0, silent.atMs! - frozenAt) }), // the capture's 10 ms windows straddle the freeze
    ...(back.ok && { resumeMs: Math.max(0, back.atMs! - thawAt) }),
    resumeLimitMs: resumeLimit,
    ...(stallLine && { stallLine: stallLine.replace(/^.*?stall: /, 'stall: ') }),
    objectsBefore: own(before, e.pid),
    objectsAfter: own(after, e.pid),
    aliveAfter,
    notBaseline: diffSnapshots(baseline, final).added,
  };
  const judged = judgeFreeze(observation);
  for (const c of judged.checks) run.check(c);
  if (judged.diagnosis) run.diagnosis = judged.diagnosis;
  run.metric('audio_resume_ms', observation.resumeMs);
  await session.attachTimeline(
    `freeze run ${ctx.repetition}: victim ${cap.frequencyHz} Hz through ${how} for ${holdMs} ms`,
    [], // the freeze and the thaw are the run's own events already
    [{ at: thawAt + resumeLimit, label: 'resume deadline', missed: !back.ok }],
    judged.checks,
  );
  await run.attach('engine', 'log', e.child.outputTail(400));
  await run.attach('inventory', 'json', JSON.stringify({ baseline, before, after, final }, null, 2));
  await run.attach('observation', 'json', JSON.stringify(observation, null, 2));
  await session.sweepLeftovers(diffSnapshots(baseline, final));
}

// Any program: its own sound (a program that plays) must come back after the thaw, and its objects
// on the server must be the ones it had; after its configured stop, nothing of it is left.
async function freezeBlackBox(ctx: ScenarioContext): Promise<void> {
  const { run, rig, target, options, params } = ctx;
  const holdMs = params.number('ms');
  const resumeLimit = params.number('resume_ms');
  const session = new TargetSession(ctx);
  const names = (objects: InventoryObject[]) => objects.map((o) => o.name);

  await session.victim();
  const baseline = await run.phase('baseline inventory', 8000, () => rig.serverInventory());
  const t = await session.launch(`${target.name} ready`);
  const owner = await ownerOf(ctx, t);
  const during = await run.phase('inventory before the freeze', 8000, () => rig.serverInventory());
  const { how, frozenAt, thawAt } = await freezeFor(ctx, t, holdMs, async () => undefined);
  const plays = target.expect.audio === 'plays';
  const back = plays
    ? await run.phase('its sound after the thaw', resumeLimit + 1500, () =>
        rig.capture.waitFor('other', { after: thawAt, minRunMs: 50, deadlineMs: resumeLimit }),
      )
    : undefined;
  const after = await run.phase('inventory after the thaw', 8000, () => rig.serverInventory());
  const { aliveAfter, final } = await stopAfterThaw(ctx, session, t);

  const observation: FreezeObservation = {
    kind: 'freeze',
    target: { name: target.name, pid: t.pid },
    bugs: options.bugs,
    how,
    listen: plays ? 'own sound' : 'nothing',
    frozenMs: thawAt - frozenAt,
    ...(back?.ok && { resumeMs: Math.max(0, back.atMs! - thawAt) }),
    resumeLimitMs: resumeLimit,
    objectsBefore: names(leftovers(baseline, during, owner)),
    objectsAfter: names(leftovers(baseline, after, owner)),
    aliveAfter,
    notBaseline: leftovers(baseline, final, owner),
  };
  const judged = judgeFreeze(observation);
  for (const c of judged.checks) run.check(c);
  if (judged.diagnosis) run.diagnosis = judged.diagnosis;
  await run.attach('target', 'log', t.child.outputTail(400));
  await run.attach('observation', 'json', JSON.stringify(observation, null, 2));
  if (observation.notBaseline.length) await rig.removeLeftovers(observation.notBaseline);
}
