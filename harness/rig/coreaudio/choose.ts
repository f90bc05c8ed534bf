// Pure: which CoreAudio device the rig plays into and which one hears it. Without a rig file:
// BlackHole 2ch for both (its input hears what is played into its output). A rig file names
// devices by name or UID.
import type { Device } from './parse.ts';

export const BLACKHOLE = 'BlackHole 2ch';
export const BLACKHOLE_FIX =
  'brew install blackhole-2ch (or https://existential.audio/blackhole/), ' +
  'then restart coreaudiod: sudo launchctl kickstart -kp system/com.apple.audio.coreaudiod';

export interface DeviceChoice {
  output: string; // a device's name, as sox's coreaudio driver takes it
  capture: string;
  how: string; // why these, for the report
  defaultOutput: string | undefined; // where programs that pick no device play
}

export type Choice = { ok: true; choice: DeviceChoice } | { ok: false; problem: string; missingBlackHole: boolean };

const named = (d: Device, name: string): boolean => d.name === name || d.uid === name;
// A count that could not be read (null) is not taken for "none".
const plays = (d: Device): boolean => d.outputChannels !== 0;
const hears = (d: Device): boolean => d.inputChannels !== 0;
const listed = (ds: Device[]): string => ds.map((d) => `"${d.name}"`).join(', ') || 'none';

export function chooseDevices(devices: Device[], given: { output?: string; capture?: string } = {}): Choice {
  const outputs = devices.filter(plays);
  const inputs = devices.filter(hears);
  const defaultOutput = devices.find((d) => d.defaultOutput)?.name;
  const fail = (problem: string, missingBlackHole = false): Choice => ({ ok: false, problem, missingBlackHole });
  const out = outputs.find((d) => named(d, given.output ?? BLACKHOLE));
  if (!out) {
    if (given.output !== undefined) return fail(`no output device "${given.output}" (outputs: ${listed(outputs)})`);
    return fail(`no output device "${BLACKHOLE}" (outputs: ${listed(outputs)})`, true);
  }
  const cap = inputs.find((d) => named(d, given.capture ?? out.uid));
  if (!cap) {
    if (given.capture !== undefined) return fail(`no input device "${given.capture}" (inputs: ${listed(inputs)})`);
    return fail(`"${out.name}" has no input channels to hear itself by (inputs: ${listed(inputs)})`, out.name === BLACKHOLE);
  }
  const by = given.output !== undefined ? 'the rig file names the output' : 'BlackHole 2ch';
  const how = given.capture !== undefined ? 'the rig file names both' : by;
  return { ok: true, choice: { output: out.name, capture: cap.name, how, defaultOutput } };
}
