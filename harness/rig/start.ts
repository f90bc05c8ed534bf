// Which rig a run gets (--rig, --rig-server, --rig-config). One place to add a rig: the scenario
// frame asks here.
import type { Rig, RigKind } from './rig.ts';
import { loadRigFile } from './rig-file.ts';
import { SystemRig, systemOutputName } from './system-rig.ts';
import { OBSERVED_SINK, VirtualRig } from './virtual-rig.ts';

export interface RigChoice {
  rig: RigKind;
  rigServer?: string;
  rigConfig?: string; // a rig file's path
}

// The observed output's name before the rig is up: target configs are resolved (and a missing
// build said as `unavailable`) before any server starts.
export function outputName(c: RigChoice): string {
  if (c.rig === 'virtual') return OBSERVED_SINK;
  return systemOutputName(c.rigConfig ? loadRigFile(c.rigConfig) : undefined);
}

// `purpose` names the run in the system rig's lock ("hilt scenario kill9"), for a run that waits.
export async function startRig(c: RigChoice, how: { purpose: string; onWait?: (line: string) => void }): Promise<Rig> {
  if (c.rig === 'virtual') return VirtualRig.start();
  return SystemRig.start({
    ...(c.rigServer !== undefined && { server: c.rigServer }),
    ...(c.rigConfig !== undefined && { rigFile: loadRigFile(c.rigConfig) }),
    ...how,
  });
}
