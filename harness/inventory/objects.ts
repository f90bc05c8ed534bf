// What an inventory holds: server and OS objects whose name carries a target's prefix, each
// with the pid that created it (from the name: <prefix>-<pid>[-suffix]) and whether that pid lives.

export type ObjectKind = 'pulse-module' | 'pulse-sink' | 'pw-node' | 'process';

export interface InventoryObject {
  kind: ObjectKind;
  id: string; // server index, PipeWire id, or pid
  name: string;
  ownerPid: number | undefined;
  ownerAlive: boolean | undefined; // filled in by the snapshot, from the OS
  pulseModule?: number; // the Pulse module that owns it: what a sweep unloads
}

export const objectKey = (o: Pick<InventoryObject, 'kind' | 'name'>): string => `${o.kind}:${o.name}`;

export function ownerPidFromName(name: string, prefix: string): number | undefined {
  if (!name.startsWith(prefix + '-')) return undefined;
  const m = /^(\d+)(?:-|$)/.exec(name.slice(prefix.length + 1));
  return m ? Number(m[1]) : undefined;
}

// An orphan: an object whose creator is gone (not alive, or a zombie that can clean nothing up).
export const isOrphan = (o: InventoryObject): boolean => o.kind !== 'process' && o.ownerAlive === false;

export const describeObject = (o: InventoryObject): string =>
  `${o.kind} ${o.name} (id ${o.id}${o.ownerPid ? `, creator pid ${o.ownerPid} ${o.ownerAlive ? 'alive' : 'dead'}` : ''})`;
