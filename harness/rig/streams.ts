// Where a playing stream is routed, asked of the server: proves the victim is really tapped
// (its stream sits in the engine's tap sink), not merely audible.
import type { InventoryObject } from '../inventory/objects.ts';
import { runTool, type ToolResult } from '../watchdog/tool.ts';

// What these need of a rig: a Pulse client pointed at its server.
interface PulseRig {
  pactl(args: string[], opts?: { reject?: boolean }): Promise<ToolResult>;
}

type Json = Record<string, any>;

export async function sinkOfStream(rig: PulseRig, appName: string): Promise<string | undefined> {
  const [inputs, sinks] = await Promise.all([rig.pactl(['-f', 'json', 'list', 'sink-inputs']), rig.pactl(['-f', 'json', 'list', 'sinks'])]);
  const input = (JSON.parse(String(inputs.stdout)) as Json[]).find((i) => i.properties?.['application.name'] === appName);
  if (!input) return undefined;
  return (JSON.parse(String(sinks.stdout)) as Json[]).find((s) => s.index === input.sink)?.name;
}

// Readiness by "stream": a playback or capture stream node whose process is one of `pids`. Asked
// of PipeWire, so native PipeWire clients (pw-loopback) count as well as Pulse and JACK ones.
export async function hasStreamOf(env: Record<string, string>, pids: number[]): Promise<boolean> {
  const dump = JSON.parse((await runTool('pw-dump', ['--no-colors'], { env, deadlineMs: 5000 })).stdout) as Json[];
  // A native client's nodes carry no process id of their own: their client's says whose they are.
  const clientPid = new Map(
    dump.filter((o) => o.type === 'PipeWire:Interface:Client').map((c) => [c.id, Number(c.info?.props?.['application.process.id'])]),
  );
  return dump.some((o) => {
    const props = o.info?.props ?? {};
    const pid = Number(props['application.process.id'] ?? clientPid.get(props['client.id']));
    return o.type === 'PipeWire:Interface:Node' && /^Stream\//.test(String(props['media.class'] ?? '')) && pids.includes(pid);
  });
}

// Removes objects with the prefix whose creator is dead: hilt's own sweep between repetitions,
// so one failed run cannot poison the next. Returns what it removed.
export async function sweepOrphanModules(rig: PulseRig, orphans: InventoryObject[]): Promise<string[]> {
  const removed: string[] = [];
  const modules = new Map(orphans.filter((o) => o.pulseModule !== undefined).map((o) => [o.pulseModule!, o.name]));
  for (const [index, name] of modules) {
    if ((await rig.pactl(['unload-module', String(index)], { reject: false })).exitCode === 0) removed.push(name);
  }
  return removed;
}
