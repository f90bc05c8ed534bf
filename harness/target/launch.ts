// Starting a target and knowing it is ready: its readiness line within its deadline, or a
// failure that carries its output tail and leaves nothing running.
import { accessSync, constants } from 'node:fs';
import { HiltError } from '../errors.ts';
import { platform } from '../platform/index.ts';
import { Child, stopChild, type ChildResult } from '../proc/child.ts';
import { now } from '../wait.ts';
import type { TargetSpec } from './config.ts';
import { endOf, watch, type Hang } from '../watchdog/watchdog.ts';

export interface RunningTarget {
  spec: TargetSpec;
  child: Child;
  pid: number;
  readyMs: number; // spawn to readiness line
}

export interface StopResult extends ChildResult {
  stopMs: number; // stop request to process gone
  escalated: boolean; // missed its stop deadline: stacks taken, then SIGTERM, then SIGKILL
  hang?: Hang;
}

export function requireBuilt(spec: TargetSpec): void {
  for (const [file, mode] of [[spec.command[0]!, constants.X_OK] as const, ...spec.requires.map((r) => [r, constants.R_OK] as const)]) {
    requireFile(
      spec.name,
      file,
      mode,
      spec.build ? `build it with: ${spec.build}` : `build ${spec.name} or fix "command"/"requires" in ${spec.file}`,
    );
  }
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
  tailLines?: number; // how much of its output to keep (default 200 lines)
  vars?: Record<string, string>; // fills the ${names} the config left for the scenario
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
  // The platform's way to let the target dump core (Linux: prlimit, same pid, RLIMIT_CORE raised).
  if (opts.coreDir) command.unshift(...platform.coreLaunchPrefix());
  const child = new Child(command[0]!, command.slice(1), {
    name: spec.name,
    env: { ...env, ...spec.env, ...bugEnv, ...opts.env },
    cwd: opts.coreDir,
    tailLines: opts.tailLines,
    stdin: 'pipe', // the engine stops when its stdin closes: hilt's death stops it too
  });
  const t0 = now();
  let timer: NodeJS.Timeout | undefined;
  const readyLine = opts.readyLine ?? spec.ready.stdout;
  const outcome = await Promise.race([
    child.waitForLine(readyLine).then(() => 'ready' as const),
    child.exited.then(() => 'exited' as const),
    new Promise<'deadline'>((r) => (timer = setTimeout(() => r('deadline'), spec.ready.deadlineMs))),
  ]);
  clearTimeout(timer);
  if (outcome === 'ready') return { spec, child, pid: child.pid, readyMs: now() - t0 };
  await stopChild(child, 'SIGKILL', 1000);
  const seen =
    outcome === 'exited'
      ? `it exited (${child.done?.exitCode ?? child.done?.signal}) before printing a line matching /${readyLine.source}/`
      : `no line matching /${readyLine.source}/ after ${spec.ready.deadlineMs} ms; it was killed`;
  throw new HiltError('TARGET_NOT_READY', `target ${spec.name} did not become ready`, {
    expected: `a line matching /${readyLine.source}/ within ${spec.ready.deadlineMs} ms`,
    seen: `${seen}\n--- last output of ${spec.name} (pid ${child.pid}) ---\n${child.outputTail(20)}`,
    hint: 'read the output above; run the command by hand with the rig environment to reproduce',
  });
}

// The target's own stop method under the watchdog: past its stop deadline hilt takes its
// stacks, then SIGTERM, then SIGKILL.
export async function stopTarget(t: RunningTarget): Promise<StopResult> {
  const t0 = now();
  if (t.child.done) return { ...t.child.done, stopMs: 0, escalated: false };
  const how = t.spec.stop.method === 'stdin-close' ? 'stdin closed' : t.spec.stop.signal;
  if (t.spec.stop.method === 'stdin-close') t.child.stdin?.end();
  else t.child.signal(t.spec.stop.signal);
  const w = await watch(t.child, t.child.exited, { what: `${t.spec.name} stop (${how})`, softMs: t.spec.stop.deadlineMs });
  return { ...endOf(w, t.child), stopMs: now() - t0, escalated: w.outcome === 'hung', ...(w.outcome === 'hung' ? { hang: w.hang } : {}) };
}
