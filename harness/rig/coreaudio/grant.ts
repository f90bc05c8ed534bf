// Pure: the microphone grant, told from what a capture delivered while a tone played into the
// device it records. macOS gives a process without the grant (TCC kTCCServiceMicrophone) exact
// digital zeros, and no error: a tone played and nothing but zeros back means no grant.
export type Grant = 'granted' | 'no-grant' | 'unknown';

export const GRANT_FIX =
  'grant the microphone to the program that runs hilt (the terminal, or the runner): System Settings > Privacy & Security > ' +
  'Microphone; on a CI runner pnpm provision writes the grant into the TCC database';

// At least this much audio while the tone played, so a capture that never started is not read as a verdict.
export const GRANT_PROBE_MS = 500;

export function grantFrom(samples: Float32Array, sampleRate: number, toneHeard: boolean): { grant: Grant; why: string } {
  if (toneHeard) return { grant: 'granted', why: 'the tone played was heard' };
  const ms = Math.round((samples.length / sampleRate) * 1000);
  if (ms < GRANT_PROBE_MS) return { grant: 'unknown', why: `only ${ms} ms captured (the recorder delivered too little to tell)` };
  if (samples.every((s) => s === 0)) {
    return {
      grant: 'no-grant',
      why: `${ms} ms captured while a tone played, every sample exactly zero (what macOS gives without the grant)`,
    };
  }
  return { grant: 'unknown', why: `${ms} ms captured, not silent but without the tone: the capture hears something else` };
}
