// JACK clients reach a PipeWire rig through PipeWire's own libjack, found first on the library
// path (what `pw-jack` does); no jackd is ever started for them.
import { which } from '../proc/which.ts';

export const PW_JACK_LIBRARY_PATH = '/usr/${LIB}/pipewire-0.3/jack';

// The variables that send an unmodified JACK client to the rig, or none when pipewire-jack is absent.
export function pipewireJackEnv(): Record<string, string> {
  if (!which('pw-jack')) return {};
  return { JACK_NO_START_SERVER: '1', LD_LIBRARY_PATH: [PW_JACK_LIBRARY_PATH, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
}
