// A snapshot of every object with a target's prefix, asked of the server and the OS, never of
// the target (muesli #387: an object made just before a kill is invisible to the app's own list).
import { platform, type ProcessState } from '../platform/index.ts';
import { now } from '../wait.ts';
import { byPrefix } from './by-prefix.ts';
import type { LiveServer } from './live-server.ts';
import { isOrphan, objectKey, type InventoryObject } from './objects.ts';
import { markOwners, serverObjects } from './server.ts';

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

// The objects of a prefix, asked of the server in one whole-server snapshot, and its processes.
export async function takeSnapshot(prefix: string, env: Record<string, string>, live?: LiveServer): Promise<Snapshot> {
  const t0 = now();
  const [server, procs] = await Promise.all([serverObjects(env, live), processesByPrefix(prefix, env.XDG_RUNTIME_DIR)]);
  const objects = [...byPrefix(server, prefix), ...procs];
  await markOwners(objects);
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
