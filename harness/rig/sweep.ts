// hilt's one sweep: removes what a target left on the server, whichever inventory found it (the
// whole server's, or a prefix's). Pulse modules are unloaded by the index they have now (looked up
// again by name and argument, or by the sink a prefix's module made: an index may have been
// reused), PipeWire nodes and links destroyed by the id they have now.
// Escaped processes are the caller's (platform.killTree). Returns a sentence per removed object,
// each checked against the server afterwards.
import type { InventoryObject } from '../inventory/objects.ts';
import { objectKey } from '../inventory/objects.ts';
import { parseJsonArrays } from '../inventory/parse.ts';
import { madeBy, parseServerDump, parseShortModules } from '../inventory/parse-server.ts';
import { runTool, type ToolResult } from '../watchdog/tool.ts';

export interface SweepRig {
  pactl(args: string[], opts?: { reject?: boolean }): Promise<ToolResult>;
}

const PW_KINDS = new Set<InventoryObject['kind']>(['pw-node', 'jack-client', 'pw-link']);
const PA_INVALID_INDEX = 4294967295;

const label = (o: InventoryObject): string =>
  o.kind === 'pulse-module' ? `pulse module ${o.name}${o.detail ? ` ${o.detail}` : ''}` : `${o.kind} ${o.name}`;

// The #n a server snapshot gives the n-th identical module (parse-server numbered()).
const nth = (o: InventoryObject): number => Number(/#(\d+)$/.exec(o.key ?? '')?.[1] ?? 1);

async function unload(rig: SweepRig, index: number): Promise<boolean> {
  return (await rig.pactl(['unload-module', String(index)], { reject: false })).exitCode === 0;
}

async function sweepModules(rig: SweepRig, objects: InventoryObject[]): Promise<string[]> {
  const removed: string[] = [];
  const unloaded = new Set<number>();
  const modules = parseShortModules((await rig.pactl(['list', 'short', 'modules'])).stdout);
  for (const o of objects.filter((x) => x.kind === 'pulse-module')) {
    const same = modules.filter((m) => m.name === o.name && m.argument === (o.detail ?? '')).sort((a, b) => a.index - b.index);
    // A prefix inventory names a module by the sink or source it made (by-prefix.ts).
    const made = modules.filter((m) => madeBy(m.argument) === o.name);
    const m = same[nth(o) - 1] ?? (same.length === 1 ? same[0] : undefined) ?? (made.length === 1 ? made[0] : undefined);
    if (!m || unloaded.has(m.index)) continue;
    if (await unload(rig, m.index)) {
      unloaded.add(m.index);
      removed.push(`unloaded ${label(o)} (index ${m.index})`);
    }
  }
  // A sink or source on the list whose module is not: unload the module that made it.
  for (const kind of ['pulse-sink', 'pulse-source'] as const) {
    const wanted = objects.filter((x) => x.kind === kind);
    if (!wanted.length) continue;
    const current = parseJsonArrays((await rig.pactl(['-f', 'json', 'list', kind === 'pulse-sink' ? 'sinks' : 'sources'])).stdout);
    for (const o of wanted) {
      const index = current.find((d) => d.name === o.name)?.owner_module;
      if (typeof index !== 'number' || index === PA_INVALID_INDEX || unloaded.has(index)) continue;
      if (await unload(rig, index)) {
        unloaded.add(index);
        removed.push(`unloaded module ${index}, which made ${kind} ${o.name}`);
      }
    }
  }
  return removed;
}

const dump = async (env: Record<string, string>): Promise<InventoryObject[]> =>
  parseServerDump((await runTool('pw-dump', ['--no-colors'], { env, deadlineMs: 5000 })).stdout);

// Nodes first (their links go with them), then the links still there; each found again by key.
async function sweepPipeWire(env: Record<string, string>, objects: InventoryObject[]): Promise<string[]> {
  const wanted = objects.filter((o) => PW_KINDS.has(o.kind));
  if (!wanted.length) return [];
  const destroyed: InventoryObject[] = [];
  for (const links of [false, true]) {
    const now = new Map((await dump(env)).map((o) => [objectKey(o), o]));
    for (const o of wanted.filter((w) => (w.kind === 'pw-link') === links)) {
      const cur = now.get(objectKey(o));
      if (!cur) continue;
      await runTool('pw-cli', ['destroy', cur.id], { env, deadlineMs: 5000, reject: false });
      destroyed.push(cur);
    }
  }
  const left = new Set((await dump(env)).map(objectKey));
  return destroyed.filter((o) => !left.has(objectKey(o))).map((o) => `destroyed ${label(o)} (id ${o.id})`);
}

export async function sweepLeftovers(rig: SweepRig, env: Record<string, string>, objects: InventoryObject[]): Promise<string[]> {
  return [...(await sweepModules(rig, objects)), ...(await sweepPipeWire(env, objects))];
}
