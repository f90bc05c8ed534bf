// A fault against any program, judged only from the audio server and the OS: the exit,
// classified against what its config says a clean stop is; its deadline; no object of it left on
// the server; no process of it still running (its marker is inherited through setsid and double
// forks); the victim audible afterwards; no crash signature in its output. Then hilt removes what
// it left and says so.
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { expectation, withinLimit, type CheckResult } from '../../harness/check/check.ts';
import { crashSignatures } from '../../harness/check/crash-signature.ts';
import { timelinePlot, type Marker } from '../../harness/evidence/audio.ts';
import { filesMatching, shmEntries } from '../../harness/inventory/files.ts';
import { describeLeftover, leftovers, namedLike, type LeftoverOwner } from '../../harness/inventory/leftovers.ts';
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

// The exit check every fault flow makes: how it ended against what counts as clean for this fault.
export function exitCheck(exit: ExitClass, want: { ok: boolean; expected: string }, said: string): CheckResult {
  return expectation('exit', `exit is ${want.expected}`, want.ok, exit.name, want.expected, '', said);
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
  const checksBefore = run.checks.length;

  await session.victim();
  // After the victim: the baseline holds the rig's own objects, so only the target's can be new.
  const baseline = await run.phase('baseline inventory', 8000, () => rig.serverInventory());
  const shmBefore = new Set(shmEntries());
  const t = await session.launch(`${target.name} ready`);
  const owner = await ownerOf(ctx, t);
  const during = await run.phase('inventory while it runs', 8000, () => rig.serverInventory());
  const itsOwn = leftovers(baseline, during, owner);
  run.metric('objects_while_running', itsOwn.length);
  // A program whose config says it plays: its playback stream must have been on the server.
  if (target.expect.audio === 'plays') {
    const playing = itsOwn.filter(
      (o) => /Stream\/Output\/Audio/.test(o.detail ?? '') || (o.kind === 'pulse-stream' && /sink-input/.test(o.detail ?? '')),
    );
    run.check(
      expectation(
        'plays-audio',
        'its playback stream on the server while it ran',
        playing.length > 0,
        playing.length,
        '>= 1',
        'streams',
        playing.length
          ? `playing: ${playing.map((o) => o.name).join(', ')}`
          : 'no playback stream of its process tree (expect.audio is "plays")',
      ),
    );
  }

  const { ended, at, hang } = await fault.inject(t, session);
  markers.push({ at, label: fault.label });
  const exit = ended.exit;
  const want = fault.expectExit(exit);
  run.fact('exit', `${exit.name} (${exit.description})`);
  run.check(exitCheck(exit, want, `${exit.name} (${exit.description}); a clean end is ${want.expected}`));
  const exitMs = Math.max(0, ended.endedAt - at); // a program that ends by itself may end before it is watched
  run.metric('exit_ms', exitMs);
  run.check(
    withinLimit('exit-deadline', 'process gone within its deadline', exitMs, fault.deadlineMs, 'ms', `${fault.label} to process gone`),
  );

  // Its own processes: a descendant still running once the target is gone escaped it.
  // Under Wine, wineserver and Wine's own services carry the marker too: they are Wine's, not the
  // program's, and go when wineserver is stopped after the run.
  const marked = async () => (await platform.processesWithEnv(MARK_ENV, t.mark)).filter((p) => !(t.spec.wine && isWineService(p.name)));
  const escaped = (await pollUntil(async () => (await marked()).length === 0 || undefined, { deadlineMs: 1000, intervalMs: 50 })).ok
    ? []
    : await marked();
  run.check(
    expectation(
      'no-escaped-process',
      'no process of it still running',
      escaped.length === 0,
      escaped.length,
      0,
      'processes',
      escaped.length === 0
        ? `no process carries its marker 1000 ms after it ended`
        : `still running after ${target.name} (pid ${t.pid}) ended: ${escaped.map(describeProcess).join(', ')}`,
    ),
  );

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
  run.check(
    expectation(
      'no-orphans',
      'no object of it left on the server',
      left.length === 0,
      left.length,
      0,
      'objects',
      left.length === 0
        ? `nothing of ${target.name} on the server after ${fault.label}`
        : orphanSentences(left, t.pid, `${goneMs} ms after ${fault.label}`).join('; '),
    ),
  );

  // Its files: the ones its config lists, and /dev/shm entries named like it that were not there before.
  const shmNew = shmEntries().filter((p) => !shmBefore.has(p) && namedLike({ name: basename(p) }, t.spec.prefix, t.spec.owns.patterns));
  const files = [...new Set([...t.spec.owns.files.flatMap(filesMatching), ...shmNew])];
  run.check(
    expectation(
      'no-files-left',
      'no file of it left',
      files.length === 0,
      files.length,
      0,
      'files',
      files.length === 0
        ? 'none of its files (owns.files, /dev/shm entries named like it) is left'
        : `files left after ${fault.label}: ${files.join(', ')}`,
    ),
  );

  // The victim: a program whose leftovers mute or capture it fails here.
  const heard = await cap.waitFor('present', {
    after: Math.max(ended.endedAt, now() - 200),
    minRunMs: 50,
    deadlineMs: ctx.params.number('resume_ms'),
  });
  if (heard.ok) markers.push({ at: heard.atMs!, label: 'victim heard' });
  run.check(
    withinLimit(
      'victim-heard-after',
      'victim audible after it ended',
      heard.ok ? heard.waitedMs : undefined,
      ctx.params.number('resume_ms'),
      'ms',
      `the victim's ${cap.frequencyHz} Hz tone on the observed output after ${fault.label}`,
    ),
  );

  const signatures = crashSignatures(t.child.outputTail(2000));
  if (!fault.crashExpected) {
    run.check(
      expectation(
        'no-crash-signature',
        'no crash signature in its output',
        signatures.length === 0,
        signatures[0] ?? 'none',
        'none',
        '',
        signatures.length ? signatures.join('; ') : 'no sanitizer report, fatal error or "Segmentation fault" in its output',
      ),
    );
  }

  await run.attach(
    'timeline',
    'svg',
    timelinePlot(cap, `${ctx.options.scenario}: victim ${cap.frequencyHz} Hz, ${target.name}`, markers, at - 500, now()),
  );
  await run.attach('target', 'log', t.child.outputTail(400));
  await run.attach(
    'inventory',
    'json',
    JSON.stringify({ owner: { ...owner, patterns: owner.patterns.map(String) }, baseline, during, after, left }, null, 2),
  );
  await cleanUp(ctx, t, left, escaped, files);

  const failed = run.checks.slice(checksBefore).filter((c) => c.verdict === 'fail');
  if (failed.length) {
    const bugs = ctx.options.bugs.length ? ` (run with bug switch ${ctx.options.bugs.join(',')})` : '';
    const said = failed.map((c) => ({ id: c.id, message: c.message }));
    const hung = hang ? ` Hang: ${hang}` : '';
    run.diagnosis = diagnose(target.name, t.pid, fault.label, said, exit.crash && !fault.crashExpected) + bugs + hung;
  }
  return { target: t, exit, left, escaped };
}

const describeProcess = (p: ProcessInfo): string => `${p.name}[${p.pid}] (parent ${p.ppid})`;

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

// The first failures, most telling first: what the program left, then how it ended.
// A crash comes first: what it left is then its consequence.
function diagnose(name: string, pid: number, label: string, failed: { id: string; message: string }[], crashed: boolean): string {
  const order = crashed
    ? ['exit', 'no-crash-signature', 'no-orphans', 'no-escaped-process', 'no-files-left', 'victim-heard-after', 'exit-deadline']
    : ['no-orphans', 'no-escaped-process', 'no-files-left', 'victim-heard-after', 'exit', 'exit-deadline', 'no-crash-signature'];
  const sorted = [...failed].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  return `${name} (pid ${pid}) after ${label}: ${sorted.map((c) => c.message).join('; ')}`;
}

// One sentence per leftover, a module's own sink and node folded into the module's sentence.
export function orphanSentences(left: InventoryObject[], targetPid: number, when: string): string[] {
  const modules = left.filter((o) => o.kind === 'pulse-module');
  const partOf = (o: InventoryObject) =>
    o.kind !== 'pulse-module'
      ? modules.find((m) => m.detail !== undefined && new RegExp(`(^|[=\\s])${escapeRe(o.name)}(\\s|$)`).test(m.detail))
      : undefined;
  return left
    .filter((o) => !partOf(o))
    .map((o) => {
      const parts = left.filter((p) => partOf(p) === o).map((p) => `${p.kind} ${p.name}`);
      return `orphan: ${describeLeftover(o, targetPid)}${parts.length ? ` with its ${parts.join(' and ')}` : ''} still there ${when}`;
    });
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
