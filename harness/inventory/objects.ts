// What an inventory holds: server and OS objects whose name carries a target's prefix, each
// with the pid that created it (from the name: <prefix>-<pid>[-suffix]) and whether that pid lives.
// A server snapshot (server.ts) holds every object on the server instead, owner from its properties.

export type ObjectKind =
  | 'pulse-module'
  | 'pulse-sink'
  | 'pulse-source' // not the .monitor of a sink: it comes and goes with its sink
  | 'pulse-stream' // a sink-input or a source-output
  | 'pw-node'
  | 'pw-client'
  | 'pw-link'
  | 'jack-client' // a PipeWire node with client.api=jack (a program on pipewire-jack)
  | 'jack-port'
  | 'wasapi-session' // a Windows audio session of one process on one render endpoint (IAudioSessionControl2)
  | 'coreaudio-aggregate' // a macOS aggregate device (AudioHardwareCreateAggregateDevice), or a phantom of one
  | 'coreaudio-tap' // a macOS process tap (AudioHardwareCreateProcessTap, macOS 14.2 and later)
  | 'process';

// Why a leftover is put on the target (leftovers.ts): its owner pid is the target's or a
// descendant's, its name carries the target's prefix or a pattern, or it is new on the private
// rig with a dead or unknown owner (nothing else makes objects there).
export type LeftoverReason = 'owner' | 'name' | 'unattributed';

export interface InventoryObject {
  kind: ObjectKind;
  id: string; // server index, PipeWire id, or pid
  name: string;
  ownerPid: number | undefined;
  ownerAlive: boolean | undefined; // filled in by the snapshot, from the OS
  pulseModule?: number; // the Pulse module that owns it: what a sweep unloads
  mediaClass?: string; // a node's media.class (Stream/Output/Audio, Audio/Sink, ...)
  detail?: string; // what else tells it apart: a module's argument, media.class, object.linger=true
  key?: string; // stable identity across snapshots when kind + name is not enough (objectKey)
  why?: LeftoverReason; // set on the objects leftovers() returns
}

// Same object in two snapshots: kind + name, or the key a server snapshot set (indexes are
// reused by pipewire-pulse, so never the index alone).
export const objectKey = (o: Pick<InventoryObject, 'kind' | 'name' | 'key'>): string => o.key ?? `${o.kind}:${o.name}`;

export function ownerPidFromName(name: string, prefix: string): number | undefined {
  if (!name.startsWith(prefix + '-')) return undefined;
  const m = /^(\d+)(?:-|$)/.exec(name.slice(prefix.length + 1));
  return m ? Number(m[1]) : undefined;
}

// An orphan: an object whose creator is gone (not alive, or a zombie that can clean nothing up).
export const isOrphan = (o: InventoryObject): boolean => o.kind !== 'process' && o.ownerAlive === false;

export const describeObject = (o: InventoryObject): string =>
  `${o.kind} ${o.name} (id ${o.id}${o.ownerPid ? `, creator pid ${o.ownerPid} ${o.ownerAlive ? 'alive' : 'dead'}` : ''})`;
