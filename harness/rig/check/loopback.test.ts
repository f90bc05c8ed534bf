import { describe, expect, it } from 'vitest';
import { checkSinkName, levelOf, levelProblem } from './loopback.ts';

const sine = (amplitude: number, n = 4800, hz = 440, rate = 48_000): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate));

describe('levelOf', () => {
  it('measures a sine: RMS amplitude/sqrt 2, 0 dB against what was played', () => {
    const l = levelOf(sine(0.3), 0.3);
    expect(l.rms).toBeCloseTo(0.2121, 3);
    expect(l.peak).toBeCloseTo(0.3, 3);
    expect(l.rmsDbfs).toBeCloseTo(-13.5, 1);
    expect(l.relativeDb).toBe(0);
  });

  it('says +3 dB for the virtual rig (a mono tone upmixed to stereo and downmixed back comes back sqrt 2 louder)', () => {
    expect(levelOf(sine(0.4243), 0.3).relativeDb).toBe(3);
  });

  it('silence (and no samples) is -Infinity dB, not NaN', () => {
    expect(levelOf(new Float32Array(480), 0.3)).toMatchObject({ rms: 0, peak: 0, rmsDbfs: -Infinity, relativeDb: -Infinity });
    expect(levelOf(new Float32Array(0), 0.3).rms).toBe(0);
  });
});

describe('levelProblem', () => {
  it('accepts a level near what was played', () => {
    expect(levelProblem(levelOf(sine(0.3), 0.3))).toBeUndefined();
    expect(levelProblem(levelOf(sine(0.04), 0.3))).toBeUndefined(); // -17.5 dB: still usable
  });

  it('refuses a loopback 20 dB or more below what was played, and a clipped one', () => {
    expect(levelProblem(levelOf(sine(0.01), 0.3))).toMatch(/29\.5 dB below what was played \(at most 20 dB is usable\)/);
    expect(levelProblem(levelOf(sine(1), 0.3))).toMatch(/clipped \(peak 1\)/);
  });
});

it('names the system rig check sink after the pid', () => {
  expect(checkSinkName(42)).toBe('hilt-check-42');
});
