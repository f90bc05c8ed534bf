// server-restart: the audio server restarts under a running target (an update, a crash of
// pipewire-pulse, `systemctl --user restart pipewire`): first pipewire-pulse alone, then the whole
// stack. A program must come back by itself or end; one that stays alive with its streams shown
// active and no audio (OBS #6153) is the failure. hilt's own instruments (the recorder, the
// victim, the inventory helper) are Pulse clients and are made again at once; the target is not.
// Not the fault pipeline (lib/pipeline.ts): the target lives on through the fault.
import { judgeServerRestart, PART_WORDS, type RestartPart, type RestartRound } from '../harness/check/server-restart.ts';
import { ownedBy, type LeftoverOwner } from '../harness/inventory/leftovers.ts';
import { objectKey, type InventoryObject } from '../harness/inventory/objects.ts';
import { diffSnapshots, type Snapshot } from '../harness/inventory/snapshot.ts';
import { tappedCheck } from '../harness/check/proofs.ts';
import { defineScenario, type ScenarioContext } from '../harness/scenario/define.ts';
import { stopTarget, type RunningTarget } from '../harness/target/launch.ts';
import { watchBudget } from '../harness/watchdog/watchdog.ts';
import { now, pollUntil } from '../harness/wait.ts';
import { SCENARIOS } from './manifest.ts';
import { adapterFor } from './lib/targets/adapter.ts';
import { ownerOf } from './lib/targets/black-box.ts';
import { tapped } from './lib/reference-engine.ts';
import { TargetSession, VICTIM } from './lib/target-session.ts';

// The target's by owner pid or name only: the private rig's "new and unowned" rule would take
// hilt's own clients, made again by the restart, for the target's.
const mine = (o: InventoryObject, owner: LeftoverOwner) => ownedBy(o, { ...owner, privateServer: false });

// The whole server, cut in two: the target's objects (by owner pid or name, and the links to and
// from its nodes, which carry no owner) and everything else, each as kind:name: a restart gives
// every object a new id and every client of hilt's a new pid.
function split(s: Snapshot, owner: LeftoverOwner): { its: string[]; rest: string[] } {
  const own = new Set(s.objects.filter((o) => o.kind !== 'pw-link' && mine(o, owner)).map((o) => o.name));
  const linked = (name: string) => name.split(' -> ').some((end) => own.has(end));
  const its: string[] = [];
  const rest: string[] = [];
  for (const o of s.objects) ((o.kind === 'pw-link' ? linked(o.name) : mine(o, owner)) ? its : rest).push(`${o.kind}:${o.name}`);
  return { its: its.sort(), rest: rest.sort() };
}

// How it ended, once it has (read afresh each time: it can end during any await).
const exitOf = (t: RunningTarget) => t.child.done && { name: t.child.done.exit.name, crash: t.child.done.exit.crash };
const NONE = { objectsBefore: [], objectsAfter: [], serverBefore: [], serverAfter: [] };

interface Resumed {
  outcome: RestartRound['outcome'];
  resumeMs?: number;
}

// The restart itself, said in the run's events and facts; hilt's victim made again once the
// server answers (pacat ended with its connection), as its user would start it again. Not
// awaited as heard: a target's own sound may be playing over it (the engine's wait hears it).
async function restart(ctx: ScenarioContext, part: RestartPart) {
  const { run, rig } = ctx;
  if (!rig.restartServer) throw new Error(`the ${rig.kind} rig cannot restart its server`); // refused before the run
  const t0 = now();
  run.event(`${PART_WORDS[part]}`);
  const times = await run.phase(PART_WORDS[part], 15_000, () => rig.restartServer!(part));
  run.event(`server back (${Math.round(times.backMs)} ms)`, t0 + times.backMs);
  run.metric(`server_back_ms_${part}`, times.backMs);
  const victim = rig.playTone(VICTIM, rig.capture.frequencyHz); // on the server before: judged with it back
  ctx.defer(() => victim.stop());
  return { t0, ...times };
}

// The engine resumed when the victim's stream sits in one of its taps again and is heard.
async function engineResumed(ctx: ScenarioContext, e: RunningTarget, t0: number): Promise<Resumed> {
  const { rig, target, params } = ctx;
  const limit = params.number('resume_ms');
  const inTap = await pollUntil(
    async () =>
      e.child.done !== undefined ||
      tappedCheck({ victim: VICTIM, prefix: target.prefix, pid: e.pid, sink: await rig.routeOf(VICTIM), waitedMs: 0 }).verdict === 'pass' ||
      undefined,
    { deadlineMs: Math.max(0, t0 + limit - now()), intervalMs: 20 },
  );
  if (e.child.done) return { outcome: 'exited' };
  if (!inTap.ok) return { outcome: 'silent' };
  const heard = await rig.capture.waitFor('present', { after: now(), minRunMs: 50, deadlineMs: Math.max(0, t0 + limit - now()) });
  return heard.ok ? { outcome: 'resumed', resumeMs: heard.atMs! - t0 } : { outcome: 'silent' };
}

// A black box resumed when its own sound is heard again (a program that plays), or, for one that
// plays nothing, when its objects are back on the server.
async function blackBoxResumed(ctx: ScenarioContext, t: RunningTarget, t0: number, before: string[], owner: LeftoverOwner) {
  const { rig, target, params } = ctx;
  const left = () => Math.max(0, t0 + params.number('resume_ms') - now());
  const ended = t.child.exited.then(() => undefined);
  if (target.expect.audio === 'plays') {
    const heard = await Promise.race([rig.capture.waitFor('other', { after: t0 + 1, minRunMs: 50, deadlineMs: left() }), ended]);
    if (t.child.done) return { outcome: 'exited' } as Resumed;
    return (heard?.ok ? { outcome: 'resumed', resumeMs: heard.atMs! - t0 } : { outcome: 'silent' }) as Resumed;
  }
  const back = await pollUntil(
    async () => {
      if (t.child.done) return true;
      const its = split(await rig.serverInventory(), owner).its;
      return before.every((k) => its.includes(k)) || undefined;
    },
    { deadlineMs: left(), intervalMs: 50 },
  );
  if (t.child.done) return { outcome: 'exited' } as Resumed;
  return (back.ok ? { outcome: 'resumed', resumeMs: now() - t0 } : { outcome: 'silent' }) as Resumed;
}

// The server once the rest of it holds what it held (hilt's victim and recorder linked again), or
// as it is 2 s on: a target that exited at once says nothing about when the server has settled.
async function settled(ctx: ScenarioContext, owner: LeftoverOwner, rest: string[]): Promise<{ its: string[]; rest: string[] }> {
  let now_ = split(await ctx.rig.serverInventory(), owner);
  const same = (a: string[]) => a.length === rest.length && a.every((k, i) => k === rest[i]);
  await pollUntil(
    async () => {
      now_ = split(await ctx.rig.serverInventory(), owner);
      return same(now_.rest) || undefined;
    },
    { deadlineMs: 2000, intervalMs: 50 },
  );
  return now_;
}

defineScenario(SCENARIOS['server-restart'], async (ctx) => {
  const { run, rig, target, options, params } = ctx;
  const engine = adapterFor(ctx).kind === 'reference engine';
  const session = new TargetSession(ctx);
  const parts = params.words('restart') as RestartPart[];

  await session.victim();
  const baseline = await run.phase('baseline inventory', 8000, () => (engine ? session.snapshot() : rig.serverInventory()));
  const t = await session.launch(`${target.name} ready`);
  if (engine) await tapped(session, t);
  const rounds: RestartRound[] = [];
  const deadlines: { at: number; label: string; missed: boolean }[] = [];
  for (const part of parts) {
    const ended = exitOf(t);
    if (ended) {
      // It ended by itself before the server went (a launcher that forks a daemon and exits 0).
      rounds.push({ part, downMs: 0, backMs: 0, outcome: 'exited', endedBefore: true, exit: ended, ...NONE });
      break;
    }
    const owner = await ownerOf(ctx, t);
    const before = split(await run.phase(`inventory before the ${part} restart`, 8000, () => rig.serverInventory()), owner);
    const { t0, downMs, backMs } = await restart(ctx, part);
    const r = engine ? await engineResumed(ctx, t, t0) : await blackBoxResumed(ctx, t, t0, before.its, owner);
    // Drawn where its sound came back (or when hilt gave up), not when hilt had looked.
    const outcome = `${target.name}: ${r.outcome}${r.resumeMs !== undefined ? ` (${Math.round(r.resumeMs)} ms)` : ''}`;
    run.event(outcome, r.resumeMs !== undefined ? t0 + r.resumeMs : now());
    deadlines.push({ at: t0 + params.number('resume_ms'), label: `${part} resume deadline`, missed: r.outcome === 'silent' });
    if (r.resumeMs !== undefined) run.metric(`resume_ms_${part}`, r.resumeMs);
    const ownerNow = await ownerOf(ctx, t); // its helpers may be new ones (the engine replaces its guardian)
    const after = await run.phase(`inventory after the ${part} restart`, 8000, () => settled(ctx, ownerNow, before.rest));
    const said = engine ? /server: connection lost.*$/m.exec(t.child.outputTail(400))?.[0] : undefined;
    rounds.push({
      part,
      downMs,
      backMs,
      ...r,
      ...(exitOf(t) && { exit: exitOf(t) }),
      ...(said && { said }),
      objectsBefore: before.its,
      objectsAfter: after.its,
      serverBefore: before.rest,
      serverAfter: after.rest,
    });
    if (t.child.done) break; // nothing left to restart the server under
  }
  if (!t.child.done) await run.phase(`${target.name} stops`, watchBudget(target.stop.deadlineMs), () => stopTarget(t));
  const final = await session.finalSnapshot('final inventory');
  const finalServer = engine ? undefined : await rig.serverInventory();
  const owner = await ownerOf(ctx, t);
  const observation = {
    kind: 'server-restart' as const,
    target: { name: target.name, pid: t.pid },
    bugs: options.bugs,
    listen: engine ? ('victim' as const) : target.expect.audio === 'plays' ? ('own sound' as const) : ('nothing' as const),
    expects: target.expect.serverRestart,
    resumeLimitMs: params.number('resume_ms'),
    rounds,
    notBaseline: engine
      ? diffSnapshots(baseline, final).orphans
      : finalServer!.objects.filter((o) => mine(o, owner) && !baseline.objects.some((b) => objectKey(b) === objectKey(o))),
  };
  const judged = judgeServerRestart(observation);
  for (const c of judged.checks) run.check(c);
  if (judged.diagnosis) run.diagnosis = judged.diagnosis;
  await session.attachTimeline(
    `server-restart run ${ctx.repetition}: ${parts.join(', then ')} under ${target.name}`,
    [],
    deadlines,
    judged.checks,
  );
  await run.attach('target', 'log', t.child.outputTail(400));
  await run.attach('observation', 'json', JSON.stringify(observation, null, 2));
  if (observation.notBaseline.length) await rig.removeLeftovers(observation.notBaseline);
});
