// Synthetic test signals, shared by the detector's unit tests and the bench.

export const sine = (hz: number, amp: number, n: number, sampleRate = 48_000, phase = 0): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / sampleRate + phase));

// Deterministic uniform noise (LCG) scaled to the requested RMS.
export function noise(rms: number, n: number, seed = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 2 * Math.sqrt(3) * rms;
  }
  return out;
}
