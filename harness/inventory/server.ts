// A snapshot of EVERY object on the audio server, for a black-box target that names nothing the
// way the reference engine does: owners come from the server's own properties, liveness from the
// OS. Asked of the server and the OS, never of the target. (snapshot.ts is the prefix snapshot.)
import { platform } from '../platform/index.ts';
import { runTool } from '../watchdog/tool.ts';
import { now } from '../wait.ts';
import type { InventoryObject } from './objects.ts';
import { parseServer } from './parse-server.ts';
import type { Snapshot } from './snapshot.ts';

// The prefix a server snapshot records: it is not filtered by one.
export const WHOLE_SERVER = '*';

const tool = async (file: string, args: string[], env: Record<string, string>): Promise<string> =>
  (await runTool(file, args, { env, deadlineMs: 5000 })).stdout;

const pactlList = (what: string, env: Record<string, string>) => tool('pactl', ['-f', 'json', 'list', what], env);

// Fills ownerAlive from the OS, one question per pid.
export async function markOwners(objects: InventoryObject[]): Promise<void> {
  const alive = new Map<number, Promise<boolean>>();
  for (const o of objects) {
    if (o.ownerPid === undefined) continue;
    if (!alive.has(o.ownerPid))
      alive.set(
        o.ownerPid,
        platform.processState(o.ownerPid).then((s) => s === 'alive'),
      );
    o.ownerAlive = await alive.get(o.ownerPid);
  }
}

export async function takeServerSnapshot(env: Record<string, string>): Promise<Snapshot> {
  const t0 = now();
  const [modules, sinks, sources, sinkInputs, sourceOutputs, dump] = await Promise.all([
    pactlList('modules', env),
    pactlList('sinks', env),
    pactlList('sources', env),
    pactlList('sink-inputs', env),
    pactlList('source-outputs', env),
    tool('pw-dump', ['--no-colors'], env),
  ]);
  const objects = parseServer({ modules, sinks, sources, sinkInputs, sourceOutputs, dump });
  await markOwners(objects);
  return { prefix: WHOLE_SERVER, takenAt: t0, tookMs: now() - t0, objects };
}
