// A fault against any program, judged only from the audio server and the OS: the exit,
// classified against what its config says a clean stop is; its deadline; no object of it left on
// the server; no process of it still running (its marker is inherited through setsid and double
// forks); the victim audible afterwards; no crash signature in its output. Then hilt removes what
// it left and says so.
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { judgeBlackBox, type BlackBoxObservation } from '../../harness/check/blackbox.ts';
import { crashSignatures } from '../../harness/check/crash-signature.ts';
import type { Marker } from '../../harness/evidence/audio.ts';
import { filesMatching, shmEntries } from '../../harness/inventory/files.ts';
import { leftovers, namedLike, type LeftoverOwner } from '../../harness/inventory/leftovers.ts';
import type { InventoryObject } from '../../harness/inventory/objects.ts';
import type { Snapshot } from '../../harness/inventory/snapshot.ts';
import { platform } from '../../harness/platform/index.ts';
import type { ProcessInfo } from '../../harness/platform/platform.ts';
import type { ChildResult } from '../../harness/proc/child.ts';
import type { ExitClass } from '../../harness/proc/exit.ts';
import type { ScenarioContext } from '../../harness/scenario/define.ts';
import { MARK_ENV, type RunningTarget } from '../../harness/target/launch.ts';
import { now, pollUntil } from '../../harness/wait.ts';
import { isWineService } from '../../harness/target/wine.ts';
import { TargetSession } from './target-session.ts';

export interface BlackBoxFault {
  label: string; // "SIGKILL", "the configured stop", "its own end"
  // Does the fault and resolves with the process's end and when it was asked for.
  // A hang the watchdog caught on the way is said in words (where each thread waits).
  inject(t: RunningTarget, session: TargetSession): Promise<{ ended: ChildResult; at: number; hang?: string }>;
  expectExit(exit: ExitClass): { ok: boolean; expected: string };
  deadlineMs: number; // the fault to the process gone
  crashExpected?: boolean; // a crash scenario: the signature is the fault's, not a finding
}

export interface BlackBoxOutcome {
  target: RunningTarget;
  exit: ExitClass;
  left: InventoryObject[];
  escaped: ProcessInfo[];
}

// Whether the code or signal is one the config lists as a clean stop.
export function exitIsExpected(exit: ExitClass, codes: (number | NodeJS.Signals)[]): boolean {
  return codes.some((c) => (typeof c === 'number' ? exit.signal === null && exit.code === c : exit.signal === c));
}

// What this target owns on the server: its process tree as seen while it ran, its prefix, its patterns.
export async function ownerOf(ctx: ScenarioContext, t: RunningTarget): Promise<LeftoverOwner> {
  const tree = await platform.descendants(t.pid).catch(() => []);
  const marked = (await platform.processesWithEnv(MARK_ENV, t.mark).catch(() => [])).map((p) => p.pid);
  return {
    pids: [...new Set([t.pid, ...tree, ...marked])],
    prefix: t.spec.prefix,
    patterns: t.spec.owns.patterns,
    privateServer: ctx.rig.kind === 'virtual',
  };
}

export async function runBlackBox(ctx: ScenarioContext, fault: BlackBoxFault): Promise<BlackBoxOutcome> {
  const { run, rig, target } = ctx;
  const session = new TargetSession(ctx);
  const cap = rig.capture;
  const markers: Marker[] = [];

  await session.victim();
  // After the victim: the baseline holds the rig's own objects, so only the target's can be new.
  const baseline = await run.phase('baseline inventory', 8000, () => rig.serverInventory());
  const shmBefore = new Set(shmEntries());
  const t = await session.launch(`${target.name} ready`);
  const owner = await ownerOf(ctx, t);
  const during = await run.phase('inventory while it runs', 8000, () => rig.serverInventory());
  const itsOwn = leftovers(baseline, during, owner);
  run.metric('objects_while_running', itsOwn.length);
  const playing = itsOwn.filter(
    (o) => /Stream\/Output\/Audio/.test(o.detail ?? '') || (o.kind === 'pulse-stream' && /sink-input/.test(o.detail ?? '')),
  );

  const { ended, at, hang } = await fault.inject(t, session);
  markers.push({ at, label: fault.label });
  const exit = ended.exit;
  run.fact('exit', `${exit.name} (${exit.description})`);
  const exitMs = Math.max(0, ended.endedAt - at); // a program that ends by itself may end before it is watched
  run.metric('exit_ms', exitMs);
  markers.push({ at: ended.endedAt, label: `gone (${exit.name})` });

  // Its own processes: a descendant still running once the target is gone escaped it.
  // Under Wine, wineserver and Wine's own services carry the marker too: they are Wine's, not the
  // program's, and go when wineserver is stopped after the run.
  const escapedAfterMs = 1000;
  const marked = async () => (await platform.processesWithEnv(MARK_ENV, t.mark)).filter((p) => !(t.spec.wine && isWineService(p.name)));
  const escaped = (await pollUntil(async () => (await marked()).length === 0 || undefined, { deadlineMs: escapedAfterMs, intervalMs: 50 }))
    .ok
    ? []
    : await marked();

  // Its objects: asked of the server, allowing a cleanup that lands just after the death.
  const goneMs = 2000;
  let after: Snapshot | undefined;
  let left: InventoryObject[] = [];
  await run.phase('inventory after it ended', goneMs + 8000, () =>
    pollUntil(
      async () => {
        after = await rig.serverInventory();
        left = leftovers(baseline, after, owner);
        return left.length === 0 || undefined;
      },
      { deadlineMs: goneMs, intervalMs: 100 },
    ),
  );

  // Its files: the ones its config lists, and /dev/shm entries named like it that were not there before.
  const shmNew = shmEntries().filter((p) => !shmBefore.has(p) && namedLike({ name: basename(p) }, t.spec.prefix, t.spec.owns.patterns));
  const files = [...new Set([...t.spec.owns.files.flatMap(filesMatching), ...shmNew])];

  // The victim: a program whose leftovers mute or capture it fails here.
  const resumeMs = ctx.params.number('resume_ms');
  const listenFrom = Math.max(ended.endedAt, now() - 200);
  const heard = await cap.waitFor('present', { after: listenFrom, minRunMs: 50, deadlineMs: resumeMs });
  if (heard.ok) markers.push({ at: heard.atMs!, label: 'victim heard' });

  const observation: BlackBoxObservation = {
    kind: 'black-box',
    target: { name: target.name, pid: t.pid, plays: target.expect.audio === 'plays' },
    fault: { label: fault.label, deadlineMs: fault.deadlineMs, crashExpected: fault.crashExpected ?? false },
    bugs: ctx.options.bugs,
    playing: playing.map((o) => o.name),
    objectsWhileRunning: itsOwn.length,
    exit,
    expectedExit: fault.expectExit(exit),
    exitMs,
    ...(hang && { hang }),
    escaped,
    escapedAfterMs,
    left,
    goneMs,
    files,
    victim: { hz: cap.frequencyHz, ...(heard.ok && { heardMs: heard.waitedMs }), deadlineMs: resumeMs },
    signatures: crashSignatures(t.child.outputTail(2000)),
  };
  const judged = judgeBlackBox(observation);
  for (const c of judged.checks) run.check(c);
  if (judged.diagnosis) run.diagnosis = judged.diagnosis;

  const deadlines = [
    { at: at + fault.deadlineMs, label: 'exit deadline', missed: exitMs > fault.deadlineMs },
    { at: listenFrom + resumeMs, label: 'victim deadline', missed: !heard.ok },
  ];
  await session.attachTimeline(
    `${ctx.options.scenario} run ${ctx.repetition}: victim ${cap.frequencyHz} Hz, ${target.name}`,
    markers,
    deadlines,
    judged.checks,
  );
  await run.attach('target', 'log', t.child.outputTail(400));
  await run.attach(
    'inventory',
    'json',
    JSON.stringify({ owner: { ...owner, patterns: owner.patterns.map(String) }, baseline, during, after, left }, null, 2),
  );
  await run.attach('observation', 'json', JSON.stringify(observation, null, 2));
  await cleanUp(ctx, t, left, escaped, files);
  return { target: t, exit, left, escaped };
}

// hilt removes what the target left, so the next run starts clean, and says what it removed.
async function cleanUp(
  ctx: ScenarioContext,
  t: RunningTarget,
  left: InventoryObject[],
  escaped: ProcessInfo[],
  files: string[],
): Promise<void> {
  const said: string[] = [];
  for (const f of files) {
    await rm(f, { recursive: true, force: true });
    said.push(`removed ${f}`);
  }
  for (const p of escaped) {
    const killed = await platform.killTree(p.pid).catch(() => []);
    said.push(`killed ${p.name}[${p.pid}]${killed.length > 1 ? ` and ${killed.length - 1} below it` : ''}`);
  }
  if (left.length) said.push(...(await ctx.rig.removeLeftovers(left)));
  if (said.length)
    await ctx.run.attach('hilt-cleanup', 'text', `after the checks hilt removed what ${t.spec.name} left:\n${said.join('\n')}\n`);
}
