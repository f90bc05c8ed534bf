// Pure: the CoreAudio rig's inventory from the helper's answers. Its objects are the ones a
// program leaves behind on macOS: aggregate devices and process taps. A phantom (muesli #387: an
// aggregate whose creator was killed while it registered) is in no listing; it is found by
// re-creating a UID seen earlier, which then fails with 'nope'.
import type { InventoryObject } from '../../inventory/objects.ts';
import type { AudioProcess, Device, PhantomAnswer, Tap } from './parse.ts';

export const aggregateKey = (uid: string): string => `coreaudio-aggregate:${uid}`;
export const tapKey = (uid: string): string => `coreaudio-tap:${uid}`;

// CoreAudio says no creator for either: ownerPid stays unknown, the name and UID tell whose.
export const aggregateObjects = (devices: Device[]): InventoryObject[] =>
  devices
    .filter((d) => d.aggregate !== null)
    .map((d) => ({
      kind: 'coreaudio-aggregate',
      id: String(d.id),
      name: d.name,
      ownerPid: undefined,
      ownerAlive: undefined,
      detail:
        `uid ${d.uid}; ${d.transport}` +
        `${d.aggregate!.private ? '; private' : ''}; sub-devices ${d.aggregate!.subDevices.join(', ') || 'none'}`,
      key: aggregateKey(d.uid),
    }));

const tapped = (t: Tap): string => {
  const pids = t.processes.map((p) => (p.pid === null ? `object ${p.object}` : `pid ${p.pid}`)).join(', ');
  return t.exclusive ? `every process but ${pids || 'none'}` : pids || 'no process';
};

export const tapObjects = (taps: Tap[]): InventoryObject[] =>
  taps.map((t) => ({
    kind: 'coreaudio-tap',
    id: String(t.id),
    name: t.name || t.uid,
    ownerPid: undefined,
    ownerAlive: undefined,
    detail: [`uid ${t.uid}`, `taps ${tapped(t)}`, t.mute && `mute ${t.mute}`, t.private && 'private', t.error].filter(Boolean).join('; '),
    key: tapKey(t.uid),
  }));

export const phantomObject = (p: Extract<PhantomAnswer, { result: 'phantom' }>): InventoryObject => ({
  kind: 'coreaudio-aggregate',
  id: p.uid,
  name: p.uid,
  ownerPid: undefined,
  ownerAlive: undefined,
  detail: `uid ${p.uid}; phantom: listed by no one, re-creating it answered ${p.status}`,
  key: aggregateKey(p.uid),
});

export const isPhantom = (o: InventoryObject): boolean => o.kind === 'coreaudio-aggregate' && /; phantom: /.test(o.detail ?? '');

// Aggregate UIDs seen earlier in the rig's life and listed no longer: the ones a phantom probe asks about.
export const vanishedUids = (seen: ReadonlySet<string>, devices: Device[]): string[] => {
  const now = new Set(devices.filter((d) => d.aggregate !== null).map((d) => d.uid));
  return [...seen].filter((u) => !now.has(u));
};

// Is one of these processes playing (readiness by "stream"): kAudioProcessPropertyIsRunningOutput.
export const playsOutput = (processes: AudioProcess[], pids: number[]): boolean =>
  processes.some((p) => p.runningOutput && pids.includes(p.pid));
