// Which rig a run gets (--rig). One place to add a rig: the scenario frame asks here.
import { HiltError } from '../errors.ts';
import type { Rig, RigKind } from './rig.ts';
import { OBSERVED_SINK, VirtualRig } from './virtual-rig.ts';

// The observed output's name before the rig is up: target configs are resolved (and a missing
// build said as `unavailable`) before any server starts.
export function outputName(kind: RigKind): string {
  return kind === 'virtual' ? OBSERVED_SINK : requireRig(kind);
}

export async function startRig(kind: RigKind): Promise<Rig> {
  if (kind === 'virtual') return VirtualRig.start();
  return requireRig(kind);
}

function requireRig(kind: RigKind): never {
  throw new HiltError('RIG_MISSING', `rig "${kind}" is not supported on this platform yet`, {
    expected: "a rig implementation for the host's own audio server",
    seen: 'only the virtual rig (a private PipeWire hilt starts itself) exists',
    hint: 'use --rig virtual (the default)',
  });
}
