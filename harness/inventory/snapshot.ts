// A snapshot of every object with a target's prefix, asked of the server and the OS, never of
// the target (muesli #387: an object made just before a kill is invisible to the app's own list).
import { platform, type ProcessState } from '../platform/index.ts';
import { runTool } from '../watchdog/tool.ts';
import { now } from '../wait.ts';
import { isOrphan, objectKey, type InventoryObject } from './objects.ts';
import { parsePulseModules, parsePulseSinks, parsePwDump } from './parse.ts';

export interface Snapshot {
  prefix: string;
  takenAt: number;
  tookMs: number;
  objects: InventoryObject[];
}

export interface InventoryDiff {
  added: InventoryObject[];
  removed: InventoryObject[];
  orphans: InventoryObject[]; // added objects whose creator is dead
}

async function tool(file: string, args: string[], env: Record<string, string>): Promise<string> {
  return (await runTool(file, args, { env, deadlineMs: 5000 })).stdout;
}

// Alive means running: a zombie has exited already and cannot clean up.
export const processState = (pid: number): Promise<ProcessState> => platform.processState(pid);

// Processes named with the prefix that run against this rig: they carry its XDG_RUNTIME_DIR,
// inherited through every fork, so another hilt run's engines on the same machine are not ours.
async function processesByPrefix(prefix: string, runtimeDir: string | undefined): Promise<InventoryObject[]> {
  const candidates = runtimeDir ? await platform.processesWithEnv('XDG_RUNTIME_DIR', runtimeDir) : await platform.processes();
  // comm is cut at 15 characters by the kernel.
  return candidates
    .filter((p) => p.name.startsWith(prefix.slice(0, 15)) && p.state !== 'Z')
    .map((p): InventoryObject => ({ kind: 'process', id: String(p.pid), name: `${p.name}[${p.pid}]`, ownerPid: p.pid, ownerAlive: true }));
}

export async function takeSnapshot(prefix: string, env: Record<string, string>): Promise<Snapshot> {
  const t0 = now();
  const [modules, sinks, dump, procs] = await Promise.all([
    tool('pactl', ['-f', 'json', 'list', 'modules'], env),
    tool('pactl', ['-f', 'json', 'list', 'sinks'], env),
    tool('pw-dump', ['--no-colors'], env),
    processesByPrefix(prefix, env.XDG_RUNTIME_DIR),
  ]);
  const sinkObjects = parsePulseSinks(sinks, prefix);
  const objects = [...parsePulseModules(modules, prefix, sinkObjects), ...sinkObjects, ...parsePwDump(dump, prefix), ...procs];
  const states = new Map<number, boolean>();
  for (const o of objects) {
    if (o.ownerPid === undefined || o.ownerAlive !== undefined) continue;
    if (!states.has(o.ownerPid)) states.set(o.ownerPid, (await processState(o.ownerPid)) === 'alive');
    o.ownerAlive = states.get(o.ownerPid);
  }
  return { prefix, takenAt: t0, tookMs: now() - t0, objects };
}

export function diffSnapshots(baseline: Snapshot, current: Snapshot): InventoryDiff {
  const before = new Set(baseline.objects.map(objectKey));
  const after = new Set(current.objects.map(objectKey));
  const added = current.objects.filter((o) => !before.has(objectKey(o)));
  return {
    added,
    removed: baseline.objects.filter((o) => !after.has(objectKey(o))),
    orphans: added.filter(isOrphan),
  };
}
