// Where a playing stream is routed, asked of the server: proves the victim is really tapped
// (its stream sits in the engine's tap sink), not merely audible.
import type { InventoryObject } from '../inventory/objects.ts';
import type { VirtualRig } from './virtual-rig.ts';

type Json = Record<string, any>;

export async function sinkOfStream(rig: VirtualRig, appName: string): Promise<string | undefined> {
  const [inputs, sinks] = await Promise.all([
    rig.pactl(['-f', 'json', 'list', 'sink-inputs']),
    rig.pactl(['-f', 'json', 'list', 'sinks']),
  ]);
  const input = (JSON.parse(String(inputs.stdout)) as Json[]).find((i) => i.properties?.['application.name'] === appName);
  if (!input) return undefined;
  return (JSON.parse(String(sinks.stdout)) as Json[]).find((s) => s.index === input.sink)?.name;
}

// Removes objects with the prefix whose creator is dead: hilt's own sweep between repetitions,
// so one failed run cannot poison the next. Returns what it removed.
export async function sweepOrphanModules(rig: VirtualRig, orphans: InventoryObject[]): Promise<string[]> {
  const removed: string[] = [];
  const modules = new Map(orphans.filter((o) => o.pulseModule !== undefined).map((o) => [o.pulseModule!, o.name]));
  for (const [index, name] of modules) {
    if ((await rig.pactl(['unload-module', String(index)], { reject: false })).exitCode === 0) removed.push(name);
  }
  return removed;
}
