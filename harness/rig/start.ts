// Which rig a run gets (--rig, --rig-server, --rig-config). One place to add a rig: the scenario
// frame asks here.
import { HiltError } from '../errors.ts';
import { BLACKHOLE } from './coreaudio/choose.ts';
import { CoreAudioRig } from './coreaudio-rig.ts';
import type { Rig, RigKind } from './rig.ts';
import { loadRigFile } from './rig-file.ts';
import { SystemRig, systemOutputName } from './system-rig.ts';
import { OBSERVED_SINK, VirtualRig } from './virtual-rig.ts';
import { WasapiRig } from './wasapi-rig.ts';

export interface RigChoice {
  rig: RigKind;
  rigServer?: string;
  rigConfig?: string; // a rig file's path
}

// The observed output's name before the rig is up: target configs are resolved (and a missing
// build said as `unavailable`) before any server starts.
export function outputName(c: RigChoice): string {
  if (c.rig === 'virtual') return OBSERVED_SINK;
  // On Windows the endpoint is chosen when the rig starts: before, only a rig file's is known.
  if (process.platform === 'win32') return c.rigConfig ? loadRigFile(c.rigConfig).output : 'default';
  if (process.platform === 'darwin') return c.rigConfig ? loadRigFile(c.rigConfig).output : BLACKHOLE;
  return systemOutputName(c.rigConfig ? loadRigFile(c.rigConfig) : undefined);
}

// `purpose` names the run in the system rig's lock ("hilt scenario kill9"), for a run that waits.
export async function startRig(c: RigChoice, how: { purpose: string; onWait?: (line: string) => void }): Promise<Rig> {
  if (process.platform === 'win32') {
    if (c.rig === 'virtual') throw virtualIsLinuxOnly();
    return WasapiRig.start({ ...(c.rigConfig !== undefined && { rigFile: loadRigFile(c.rigConfig) }) });
  }
  if (process.platform === 'darwin') {
    if (c.rig === 'virtual') throw virtualIsLinuxOnly();
    return CoreAudioRig.start({ ...(c.rigConfig !== undefined && { rigFile: loadRigFile(c.rigConfig) }) });
  }
  if (c.rig === 'virtual') return VirtualRig.start();
  return SystemRig.start({
    ...(c.rigServer !== undefined && { server: c.rigServer }),
    ...(c.rigConfig !== undefined && { rigFile: loadRigFile(c.rigConfig) }),
    ...how,
  });
}

export const virtualIsLinuxOnly = (os: NodeJS.Platform = process.platform): HiltError =>
  new HiltError('RIG_MISSING', `the virtual rig is a private PipeWire: Linux only (this is ${os})`, {
    expected: '--rig virtual on Linux',
    seen: os,
    hint:
      os === 'win32'
        ? 'use --rig system (the WASAPI rig, the default on Windows)'
        : os === 'darwin'
          ? 'use --rig system (the CoreAudio rig with BlackHole 2ch, the default on macOS)'
          : 'use --rig system',
  });
