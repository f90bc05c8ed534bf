// hilt's one inventory: EVERY object on the audio server, owners from the server's own
// properties, liveness from the OS; asked of the server and the OS, never of the target. A black
// box is judged on it whole; the reference engine's prefix snapshot (snapshot.ts) is a view of it.
import { platform } from '../platform/index.ts';
import { runTool } from '../watchdog/tool.ts';
import { now } from '../wait.ts';
import type { LiveServer } from './live-server.ts';
import type { InventoryObject } from './objects.ts';
import { pactlLists, parseServer } from './parse-server.ts';
import type { Snapshot } from './snapshot.ts'; // a type only: snapshot.ts builds on this file

// The prefix a server snapshot records: it is not filtered by one.
export const WHOLE_SERVER = '*';

const tool = async (file: string, args: string[], env: Record<string, string>): Promise<string> =>
  (await runTool(file, args, { env, deadlineMs: 5000 })).stdout;

// Fills ownerAlive from the OS, one question per pid (an object that already knows is left alone).
export async function markOwners(objects: InventoryObject[]): Promise<void> {
  const alive = new Map<number, Promise<boolean>>();
  for (const o of objects) {
    if (o.ownerPid === undefined || o.ownerAlive !== undefined) continue;
    if (!alive.has(o.ownerPid))
      alive.set(
        o.ownerPid,
        platform.processState(o.ownerPid).then((s) => s === 'alive'),
      );
    o.ownerAlive = await alive.get(o.ownerPid);
  }
}

// Every object on the server, owners not yet checked against the OS: from the rig's hilt-inventory
// when it has one (one request on a connection already open), else from two tools asked at once.
export async function serverObjects(env: Record<string, string>, live?: LiveServer): Promise<InventoryObject[]> {
  return live ? parseServer(await live.snapshot()) : toolServerObjects(env);
}

// The same through the tools: every Pulse list in one pactl call, every PipeWire object in one pw-dump.
export async function toolServerObjects(env: Record<string, string>): Promise<InventoryObject[]> {
  const [all, dump] = await Promise.all([tool('pactl', ['-f', 'json', 'list'], env), tool('pw-dump', ['--no-colors'], env)]);
  return parseServer({ ...pactlLists(all), dump });
}

export async function takeServerSnapshot(env: Record<string, string>, live?: LiveServer): Promise<Snapshot> {
  const t0 = now();
  const objects = await serverObjects(env, live);
  await markOwners(objects);
  return { prefix: WHOLE_SERVER, takenAt: t0, tookMs: now() - t0, objects };
}
