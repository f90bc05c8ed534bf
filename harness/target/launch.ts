// Starting a target and knowing it is ready: its readiness line within its deadline, or a
// failure that carries its output tail and leaves nothing running.
import { accessSync, constants } from 'node:fs';
import { HiltError } from '../errors.ts';
import { platform } from '../platform/index.ts';
import { Child, stopChild, type ChildResult } from '../proc/child.ts';
import { which } from '../proc/which.ts';
import { now } from '../wait.ts';
import type { TargetSpec } from './config.ts';
import { readyWay, type ReadyProbes } from './ready.ts';
import { runTool } from '../watchdog/tool.ts';
import { ensurePrefix, LAUNCHER, windowsPath, LAUNCHER_EXIT, launcherExitCode, requireWine, WINE_PREFIX, wineEnv } from './wine.ts';
import { endOf, watch, type Hang } from '../watchdog/watchdog.ts';
import type { TargetGroup } from '../platform/index.ts';
import { groupFor } from './contain.ts';
import { reaper } from '../cleanup/reaper.ts';

export interface RunningTarget {
  spec: TargetSpec;
  child: Child;
  pid: number;
  readyMs: number; // spawn to ready
  mark: string; // HILT_TARGET_MARK in its environment: every descendant inherits it, setsid or not
  env: Record<string, string>; // what it was started with (a stop command runs with the same)
  group?: TargetGroup; // its own group (cgroup), which nothing it starts can leave; see contain.ts
  sessionId?: number; // its session when it started: a helper in another one called setsid
}

export const MARK_ENV = 'HILT_TARGET_MARK';
let launches = 0;

export interface StopResult extends ChildResult {
  stopMs: number; // stop request to process gone
  escalated: boolean; // missed its stop deadline: stacks taken, then SIGTERM, then SIGKILL
  hang?: Hang;
}

export function requireBuilt(spec: TargetSpec): void {
  if (spec.wine) return requireWindowsBuilt(spec);
  const program = which(spec.command[0]!);
  if (program === undefined) {
    throw new HiltError('TARGET_MISSING', `${spec.name} cannot start: "${spec.command[0]}" is not on PATH`, {
      expected: `a program named ${spec.command[0]} in one of: ${(process.env.PATH ?? '').split(':').join(', ')}`,
      seen: 'no such program',
      hint: spec.build
        ? `install or build it: ${spec.build}`
        : `install it (on Debian: apt-file search bin/${spec.command[0]}), or give a path in "command" in ${spec.file}`,
    });
  }
  for (const [file, mode] of [[program, constants.X_OK] as const, ...spec.requires.map((r) => [r, constants.R_OK] as const)]) {
    requireFile(
      spec.name,
      file,
      mode,
      spec.build ? `build it with: ${spec.build}` : `build ${spec.name} or fix "command"/"requires" in ${spec.file}`,
    );
  }
}

// A Windows target: Wine, its .exe and hilt's launcher (both built by mingw-w64).
function requireWindowsBuilt(spec: TargetSpec): void {
  if (process.platform !== 'win32') requireWine();
  const hint = spec.build ? `build it with: ${spec.build}` : `build it, or fix "command" in ${spec.file}`;
  for (const file of [spec.command[0]!, LAUNCHER, ...spec.requires]) requireFile(spec.name, file, constants.R_OK, hint);
}

// One built file hilt needs (a target's binary, hilt's own native probe).
export function requireFile(name: string, file: string, mode: number, hint: string): void {
  try {
    accessSync(file, mode);
  } catch {
    throw new HiltError('ENGINE_NOT_BUILT', `${name} is not built: ${file} does not exist`, {
      expected: mode === constants.X_OK ? `an executable at ${file}` : `a file at ${file}`,
      seen: 'no such file',
      hint,
    });
  }
}

export interface LaunchOptions {
  args?: string[]; // appended to the target's command (scenario parameters of the reference engine)
  env?: Record<string, string>;
  coreDir?: string; // run there with core dumps allowed, so a crash leaves a core to read
  readyLine?: RegExp; // wait for this line instead of the target's readiness line
  probes?: ReadyProbes; // what readiness by stream, midiPort or audio asks of the rig
  tailLines?: number; // how much of its output to keep (default 200 lines)
  vars?: Record<string, string>; // fills the ${names} the config left for the scenario
  onProgress?: (line: string) => void; // long first-time work (making the Wine prefix)
}

async function windowsLaunch(
  command: string[],
  jobbed: boolean,
  onProgress?: (line: string) => void,
): Promise<{ command: string[]; env: Record<string, string> }> {
  // On Windows itself (the nightly's Windows runner) the same launcher runs natively; with a job
  // group, the group's launch prefix is that launcher (`hilt-winrun --job NAME`): not put twice.
  if (process.platform === 'win32') return { command: jobbed ? command : [LAUNCHER, ...command], env: {} };
  const wine = requireWine();
  await ensurePrefix(WINE_PREFIX, onProgress);
  // The program as Windows names it (Wine's Z: is /): a Unix path confuses a program that reads its
  // own command line (cmd.exe answered "File already exists").
  const [exe, ...args] = command;
  return { command: [wine, LAUNCHER, windowsPath(exe!), ...args], env: wineEnv(WINE_PREFIX) };
}

// Two prefixes that run the same program are one run of it with both sets of options (Windows: the
// launcher makes the job and writes the dump); otherwise the group's is outermost. Pure.
export function joinPrefixes(group: string[], core: string[]): string[] {
  if (group.length && core.length && group[0] === core[0]) return [...group, ...core.slice(1)];
  return [...group, ...core];
}

export async function launchTarget(
  spec: TargetSpec,
  env: Record<string, string>,
  bugs: string[],
  opts: LaunchOptions = {},
): Promise<RunningTarget> {
  requireBuilt(spec);
  const bugEnv: Record<string, string> = spec.bugSwitchEnv ? { [spec.bugSwitchEnv]: bugs.join(',') } : {};
  const fill = (a: string) => a.replace(/\$\{(\w+)\}/g, (m, k: string) => opts.vars?.[k] ?? m);
  const command = [...spec.command.map(fill), ...(opts.args ?? [])];
  command[0] = which(command[0]!) ?? command[0]!;
  const mark = `${spec.name}-${process.pid}-${++launches}`;
  // Nothing is launched before the reaper reads its stdin: a hilt killed meanwhile would leave it.
  await reaper.start();
  // Its group (Linux: a cgroup; Windows: a job object), made before the command is composed: on
  // Windows the group's prefix is the launcher itself.
  const group = groupFor(spec, mark);
  // Under Wine: `wine hilt-winrun.exe program.exe args`, in hilt's private prefix. On Windows:
  // `hilt-winrun.exe --job NAME program.exe args` (the group's prefix), or without a job when none.
  const windows = spec.wine ? await windowsLaunch(command, group !== undefined, opts.onProgress) : undefined;
  if (windows) command.splice(0, command.length, ...windows.command);
  // The platform's way to let the target dump core (Linux: prlimit, same pid, RLIMIT_CORE raised;
  // Windows: the launcher's --dump-dir).
  const core = opts.coreDir ? platform.coreLaunchPrefix() : [];
  // Joins its group before it execs (same pid), so all it starts is born inside; outermost, so
  // prlimit and Wine's launcher are inside too. On Windows: the launcher, which makes the job.
  command.unshift(...joinPrefixes(group?.launchPrefix() ?? [], core));
  // Any target on Windows with a job runs through the launcher, which says its exit code in full.
  const viaLauncher = windows !== undefined || (platform.os === 'win32' && group !== undefined);
  const childEnv = { ...env, ...windows?.env, ...spec.env, ...bugEnv, ...opts.env, [MARK_ENV]: mark };
  const child = new Child(command[0]!, command.slice(1), {
    name: spec.name,
    env: childEnv,
    ...(viaLauncher && { exitLine: { re: LAUNCHER_EXIT, parse: launcherExitCode } }),
    cwd: opts.coreDir ?? spec.cwd,
    tailLines: opts.tailLines,
    stdin: 'pipe', // the engine stops when its stdin closes: hilt's death stops it too
    ownSession: true, // its own process group, so kill9 --set scope=group has a group to kill
  });
  const t0 = now();
  const way = readyWay(spec, opts);
  const ready = await way.wait(child, spec.ready.deadlineMs);
  if (ready && !child.done) {
    // It leads a session of its own from the start (ownSession), whose id is its pid: that is its
    // session still when it already exited (a daemon's parent), unless it moved to another itself.
    const sessionId = (await platform.processOrigin(child.pid).catch(() => undefined))?.sessionId ?? child.pid;
    return { spec, child, pid: child.pid, readyMs: now() - t0, mark, env: childEnv, ...(group && { group }), sessionId };
  }
  const exited = child.done !== undefined;
  await stopChild(child, 'SIGKILL', 1000);
  await group?.killAll(1000); // what it started before it failed goes with it
  group?.remove();
  const seen = exited
    ? `it exited (${child.done?.exitCode ?? child.done?.signal}) before ${way.what}`
    : `no ${way.what.replace(/^an? /, '')} after ${spec.ready.deadlineMs} ms; it was killed`;
  throw new HiltError('TARGET_NOT_READY', `target ${spec.name} did not become ready`, {
    expected: `${way.what} within ${spec.ready.deadlineMs} ms`,
    seen: `${seen}\n--- last output of ${spec.name} (pid ${child.pid}) ---\n${child.outputTail(20)}`,
    hint: 'read the output above; run the command by hand with the rig environment to reproduce',
  });
}

// The target's own stop method under the watchdog: past its stop deadline hilt takes its
// stacks, then SIGTERM, then SIGKILL.
export async function stopTarget(t: RunningTarget): Promise<StopResult> {
  const t0 = now();
  if (t.child.done) return { ...t.child.done, stopMs: 0, escalated: false };
  const how = await requestStop(t).catch(async (e: unknown) => {
    // A stop that cannot be asked on this system: the target still goes (killed), then the error is said.
    await stopChild(t.child, 'SIGKILL', 1000);
    throw e;
  });
  const w = await watch(t.child, t.child.exited, { what: `${t.spec.name} stop (${how})`, softMs: t.spec.stop.deadlineMs });
  return { ...endOf(w, t.child), stopMs: now() - t0, escalated: w.outcome === 'hung', ...(w.outcome === 'hung' ? { hang: w.hang } : {}) };
}

// The configured stop request; returns how it was asked, for the watchdog's messages.
async function requestStop(t: RunningTarget): Promise<string> {
  const stop = t.spec.stop;
  switch (stop.method) {
    case 'stdin-close':
      t.child.stdin?.end();
      return 'stdin closed';
    case 'line':
      t.child.stdin?.write(`${stop.line}\n`);
      return `"${stop.line}" on stdin`;
    case 'command': {
      const argv = stop.command!.map((a) => a.replace(/\$\{pid\}/g, String(t.pid)));
      // The stop command is hilt's own tool: it has a deadline too, and its failure is said.
      const r = await runTool(argv[0]!, argv.slice(1), { env: t.env, deadlineMs: stop.deadlineMs, reject: false });
      return `\`${argv.join(' ')}\` (exit ${r.exitCode})`;
    }
    case 'signal':
      t.child.signal(stop.signal);
      return stop.signal;
    case 'ctrl-break':
    case 'wm-close': {
      // On Windows the target is hilt's launcher: the program is its child (the launcher only waits).
      const [program] = await platform.children(t.pid);
      const failed = t.child.nextLine(CTRL_BREAK_FAILED);
      await platform.askToStop(program ?? t.pid, stop.method);
      if (stop.method === 'ctrl-break') await ctrlBreakDelivered(t, failed);
      return stop.method === 'ctrl-break' ? 'Ctrl+Break' : 'WM_CLOSE';
    }
  }
}

// The launcher sends Ctrl+Break on the program's console and says when it could not: then the
// stop cannot be made on this system (Wine 8: no console Ctrl+Break travels on), which is
// `unavailable`, never a hang for the watchdog to find. Waits for its answer or its end, 1 s at most.
const CTRL_BREAK_FAILED = /^hilt-winrun: Ctrl\+Break to \d+ failed: (.*)$/;
async function ctrlBreakDelivered(t: RunningTarget, failed: Promise<string>): Promise<void> {
  const said = await Promise.race([failed, t.child.exited.then(() => ''), new Promise<string>((r) => setTimeout(() => r(''), 1000))]);
  if (!said) return;
  throw new HiltError('RIG_MISSING', `Ctrl+Break cannot reach ${t.spec.name} on this system`, {
    expected: "Ctrl+Break delivered to the program's process group on its console",
    seen: said,
    hint: 'run it with hilt on Windows itself, where programs have a real console; under Wine use stop.method "stdin-close" or "line"',
  });
}
