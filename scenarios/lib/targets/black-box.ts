// Any program, judged from outside only (the server, the OS, the victim): every fault is done to
// its process from outside, and it proves nothing about itself. Its steps record the exit, classified
// against what its config says a clean stop is, and its deadline; the objects of it left on the
// server; its processes still running (its marker is inherited through setsid and double forks);
// its files; the victim audible afterwards; crash signatures in its output. The judge is
// harness/check/blackbox.ts. Then hilt removes what it left and says so.
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { judgeBlackBox, type BlackBoxObservation, type MidiPortsObserved } from '../../../harness/check/blackbox.ts';
import type { DeathObserved } from '../../../harness/check/death.ts';
import { crashSignatures } from '../../../harness/check/crash-signature.ts';
import { filesMatching, shmEntries } from '../../../harness/inventory/files.ts';
import { leftovers, namedLike, type LeftoverOwner } from '../../../harness/inventory/leftovers.ts';
import type { InventoryObject } from '../../../harness/inventory/objects.ts';
import type { Snapshot } from '../../../harness/inventory/snapshot.ts';
import { makeCoreDir, readCore } from '../../../harness/evidence/core.ts';
import { platform } from '../../../harness/platform/index.ts';
import type { ScenarioContext } from '../../../harness/scenario/define.ts';
import { MARK_ENV, type RunningTarget } from '../../../harness/target/launch.ts';
import { howEscaped, type Detector, type Straggler } from '../../../harness/target/contain.ts';
import { now, pollUntil } from '../../../harness/wait.ts';
import { isWineService } from '../../../harness/target/wine.ts';
import { crashFault, killFault, signalFault, type BlackBoxFault } from '../blackbox-faults.ts';
import { runPipeline, type FaultSteps, type StepsFactory } from '../pipeline.ts';
import { listedOrWhy } from '../target-session.ts';
import { killScope } from '../kill-scope.ts';
import type { TargetAdapter } from './adapter.ts';

export const blackBox: TargetAdapter = {
  kind: 'black box',
  kill: (ctx) => runBlackBox(ctx, killFault(ctx, killScope(ctx))),
  // It cannot be made to fault from inside: the crash signal comes from outside, at the process
  // (thread and point are refused for it before the run: the manifest's targetLimits).
  crash: (ctx, asked) => runBlackBox(ctx, crashFault(ctx, `SIG${asked.signal.toUpperCase()}` as NodeJS.Signals)),
  stopBySignal: (ctx, sig) => runBlackBox(ctx, signalFault(ctx, sig)),
};

// The pipeline with a black box's steps: kill9, crash, sigterm, sigint, stop, exit, midi-orphans.
export async function runBlackBox(ctx: ScenarioContext, fault: BlackBoxFault): Promise<void> {
  await runPipeline(ctx, blackBoxSteps(fault));
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

export const blackBoxSteps =
  (fault: BlackBoxFault): StepsFactory<BlackBoxObservation> =>
  (ctx, session, rec): FaultSteps<BlackBoxObservation> => {
    const { run, rig, target } = ctx;
    const cap = rig.capture;
    let baseline: Snapshot | undefined, during: Snapshot | undefined;
    let after: Snapshot | undefined;
    let unlisted: { why: string; heardPlaying?: boolean } | undefined; // the rig cannot list its objects (WASAPI under Wine)
    let owner: LeftoverOwner;
    let shmBefore: Set<string>;
    let midi: MidiPortsObserved | undefined; // what a MIDI fault saw of its ports
    let death: DeathObserved | undefined; // what a crash signal's end showed of how it died
    let coreDir: string | undefined; // where its crash leaves a core (fault.core)

    return {
      label: fault.label,
      title: `victim ${cap.frequencyHz} Hz, ${target.name}`,
      async baseline() {
        await session.victim();
        // After the victim: the baseline holds the rig's own objects, so only the target's can be new.
        const first = await run.phase('baseline inventory', 8000, () => listedOrWhy(rig.serverInventory()));
        if ('why' in first) unlisted = { why: first.why };
        else baseline = first;
        shmBefore = new Set(shmEntries());
      },
      async launch() {
        coreDir = fault.core ? await makeCoreDir(join(run.outDir, `core-run${ctx.repetition}`)) : undefined;
        const t = await session.launch(`${target.name} ready`, { coreDir });
        owner = await ownerOf(ctx, t);
        if (unlisted && target.expect.audio === 'plays') {
          // Its streams cannot be listed: its own sound (not the victim's tone) heard on the output stands in.
          const heard = await cap.waitFor('other', { after: now() - 500, minRunMs: 50, deadlineMs: 2000 });
          unlisted.heardPlaying = heard.ok;
        }
        if (!unlisted) during = await run.phase('inventory while it runs', 8000, () => rig.serverInventory());
        return t;
      },
      async inject(t) {
        const { ended, at, hang, midi: seen, death: died } = await fault.inject(t, session);
        midi = seen;
        death = died;
        return { exit: ended.exit, at, endedAt: ended.endedAt, ...(hang && { hang }) };
      },
      async observe(t, ended) {
        const itsOwn = baseline && during ? leftovers(baseline, during, owner) : [];
        run.metric('objects_while_running', itsOwn.length);
        const playing = itsOwn.filter(
          (o) => /Stream\/Output\/Audio/.test(o.detail ?? '') || (o.kind === 'pulse-stream' && /sink-input/.test(o.detail ?? '')),
        );
        const exitMs = Math.max(0, ended.endedAt - ended.at);
        rec.deadline(ended.at + fault.deadlineMs, 'exit deadline', exitMs > fault.deadlineMs);

        // Its own processes: one still running a second after the target is gone escaped it.
        const escapedAfterMs = 1000;
        const settled = await pollUntil(async () => (await stragglers(t, owner)).size === 0 || undefined, {
          deadlineMs: escapedAfterMs,
          intervalMs: 50,
        });
        const escaped = settled.ok ? [] : await described(t, await stragglers(t, owner));

        // Its objects: asked of the server, allowing a cleanup that lands just after the death.
        const goneMs = 2000;
        let left: InventoryObject[] = [];
        if (baseline)
          await run.phase('inventory after it ended', goneMs + 8000, () =>
            pollUntil(
              async () => {
                after = await rig.serverInventory();
                left = leftovers(baseline!, after, owner);
                return left.length === 0 || undefined;
              },
              { deadlineMs: goneMs, intervalMs: 100 },
            ),
          );

        // Its files: the ones its config lists, and /dev/shm entries named like it that were not there before.
        const shmNew = shmEntries().filter(
          (p) => !shmBefore.has(p) && namedLike({ name: basename(p) }, t.spec.prefix, t.spec.owns.patterns),
        );
        const files = [...new Set([...t.spec.owns.files.flatMap(filesMatching), ...shmNew])];

        // The victim: a program whose leftovers mute or capture it fails here.
        const resumeMs = ctx.params.number('resume_ms');
        const listenFrom = Math.max(ended.endedAt, now() - 200);
        const heard = await cap.waitFor('present', { after: listenFrom, minRunMs: 50, deadlineMs: resumeMs });
        if (heard.ok) rec.mark(heard.atMs!, 'victim heard');
        rec.deadline(listenFrom + resumeMs, 'victim deadline', !heard.ok);

        return {
          kind: 'black-box',
          target: { name: target.name, pid: t.pid, plays: target.expect.audio === 'plays' },
          fault: { label: fault.label, deadlineMs: fault.deadlineMs, crashExpected: fault.crashExpected ?? false },
          bugs: ctx.options.bugs,
          playing: playing.map((o) => o.name),
          objectsWhileRunning: itsOwn.length,
          exit: ended.exit,
          expectedExit: fault.expectExit(ended.exit),
          exitMs,
          ...(ended.hang && { hang: ended.hang }),
          escaped,
          escapedAfterMs,
          left,
          goneMs,
          files,
          victim: { hz: cap.frequencyHz, ...(heard.ok && { heardMs: heard.waitedMs }), deadlineMs: resumeMs },
          signatures: crashSignatures(t.child.outputTail(2000)),
          ...(midi && { midi }),
          ...(death && { death }),
          ...(unlisted && { unlisted }),
        };
      },
      judge: judgeBlackBox,
      async evidence(t, o) {
        await run.attach('target', 'log', t.child.outputTail(400));
        const core = coreDir ? await readCore(coreDir, t.spec.command[0]!) : undefined;
        if (core) await run.attach(core.file ? 'core' : 'core-none', 'text', core.text);
        const ownerJson = { ...owner, patterns: owner.patterns.map(String) };
        await run.attach('inventory', 'json', JSON.stringify({ owner: ownerJson, baseline, during, after, left: o.left }, null, 2));
      },
      cleanUp: (t, o) => cleanUp(ctx, t, o.left, o.escaped, o.files),
    };
  };

// Who is still running of the target's, by each detector: its group (whatever a process did to
// escape), its marker (inherited through setsid and double forks, lost to env -i), the process tree
// seen while it ran. Under Wine, wineserver and Wine's services carry the marker too: they are
// Wine's, not the program's, and go when wineserver is stopped after the run.
async function stragglers(t: RunningTarget, owner: LeftoverOwner): Promise<Map<number, Detector[]>> {
  const found = new Map<number, Detector[]>();
  const add = (pid: number, by: Detector) => found.set(pid, [...(found.get(pid) ?? []), by]);
  for (const pid of t.group?.members() ?? []) add(pid, 'group');
  for (const p of await platform.processesWithEnv(MARK_ENV, t.mark)) add(p.pid, 'marker');
  for (const pid of owner.pids) if (pid !== t.pid) add(pid, 'tree');
  for (const pid of found.keys()) {
    const p = await platform.process(pid);
    const ended = !p || p.state === 'Z' || p.state === 'X'; // a zombie has ended
    if (ended || (t.spec.wine && isWineService(p.name))) found.delete(pid);
  }
  return found;
}

// Each straggler named for the report: its command line, which detectors found it, how it escaped.
async function described(t: RunningTarget, found: Map<number, Detector[]>): Promise<Straggler[]> {
  const out: Straggler[] = [];
  for (const [pid, foundBy] of found) {
    const [info, origin] = await Promise.all([platform.process(pid), platform.processOrigin(pid)]);
    if (!info || !origin) continue; // ended while we looked
    const where = { os: platform.os, hasGroup: t.group !== undefined, inGroup: foundBy.includes('group') };
    const how = howEscaped(origin, { mark: t.mark, markEnv: MARK_ENV, sessionId: t.sessionId }, [...found.keys()], where);
    out.push({ ...info, cmdline: origin.cmdline, foundBy, how });
  }
  return out;
}

// hilt removes what the target left, so the next run starts clean, and says what it removed.
async function cleanUp(
  ctx: ScenarioContext,
  t: RunningTarget,
  left: InventoryObject[],
  escaped: Straggler[],
  files: string[],
): Promise<void> {
  const said: string[] = [];
  for (const f of files) {
    await rm(f, { recursive: true, force: true });
    said.push(`removed ${f}`);
  }
  // Its group first: one cgroup.kill (Windows: TerminateJobObject) ends every member at once, whatever it did to escape.
  const grouped = escaped.filter((p) => p.foundBy?.includes('group'));
  if (t.group && grouped.length) {
    const r = await t.group.killAll(2000);
    said.push(
      `${r.ended ? 'ended' : 'could NOT end'} ${grouped.map((p) => `${p.name}[${p.pid}]`).join(', ')} ` +
        `by ${platform.os === 'win32' ? 'TerminateJobObject' : 'cgroup.kill'} in ${Math.round(r.waitedMs)} ms`,
    );
  }
  for (const p of escaped.filter((e) => !grouped.includes(e))) {
    const killed = await platform.killTree(p.pid).catch(() => []);
    said.push(`killed ${p.name}[${p.pid}]${killed.length > 1 ? ` and ${killed.length - 1} below it` : ''}`);
  }
  if (left.length) said.push(...(await ctx.rig.removeLeftovers(left)));
  if (said.length)
    await ctx.run.attach('hilt-cleanup', 'text', `after the checks hilt removed what ${t.spec.name} left:\n${said.join('\n')}\n`);
}
