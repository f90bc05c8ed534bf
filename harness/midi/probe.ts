// One MIDI probe interface over every rig: JACK MIDI through pipewire-jack on the virtual rig
// (hilt-midi-probe), the system's MIDI (ALSA sequencer, CoreMIDI, WinMM) through @julusian/midi.
// The probe plays the far end of a target's MIDI: it sends, times the echo, lists ports.

export interface MidiPorts {
  readable: string[]; // ports the probe could read from: other clients' outputs
  writable: string[]; // ports the probe could write to: other clients' inputs
}

export interface RoundTrip {
  ok: boolean;
  latencyMs?: number; // send to the identical bytes coming back
  received: string[]; // hex of what did arrive when it was not the echo
  waitedMs: number;
}

export interface MidiProbe {
  readonly kind: 'jack' | 'system';
  readonly describe: string; // "JACK MIDI through pipewire-jack (hilt-midi-probe pid 123)"
  ports(): Promise<MidiPorts>;
  // Probe output -> the target's input, the target's output -> probe input ("-": that side not connected).
  connect(targetOut: string, targetIn: string): Promise<void>;
  roundTrip(bytes: number[], timeoutMs: number): Promise<RoundTrip>;
  destroy(): Promise<void>; // idempotent
}

// The messages every round-trip check sends: a note on, its note off and a short sysex
// (0x7D: the manufacturer id reserved for non-commercial use).
export const ROUND_TRIP_MESSAGES: { name: string; bytes: number[] }[] = [
  { name: 'note on', bytes: [0x90, 60, 100] },
  { name: 'note off', bytes: [0x80, 60, 0] },
  { name: 'sysex', bytes: [0xf0, 0x7d, 0x01, 0x02, 0x03, 0x04, 0xf7] },
];

export const toHex = (bytes: number[]): string => bytes.map((b) => b.toString(16).padStart(2, '0')).join('');

export function fromHex(hex: string): number[] {
  if (!/^([0-9a-f]{2})+$/i.test(hex)) throw new Error(`not hex bytes: '${hex}'`);
  return hex.match(/../g)!.map((h) => parseInt(h, 16));
}
