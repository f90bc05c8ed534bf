import { describe, expect, it } from 'vitest';
import { noise as makeNoise, sine as makeSine } from './signals.ts';
import { detectTone, type Timeline } from './tone.ts';
import { firstSteadyAbsence, firstSteadyPresence, longestAbsence, presentFraction, runs, windowAt, windowStartMs } from './timeline.ts';

const SR = 48_000;
const opts = { sampleRate: SR, frequencyHz: 440, windowMs: 10 };

const sine = (hz: number, amp: number, n: number) => makeSine(hz, amp, n, SR);
const noise = (rms: number, n: number, seed = 3) => makeNoise(rms, n, seed);

// Measures the gap the way scenarios will: steady loss after the fault, then steady resume.
function measuredGapMs(t: Timeline, gapStart: number): number {
  const gone = firstSteadyAbsence(t, windowAt(t, gapStart), 2);
  expect(gone).toBeDefined();
  const back = firstSteadyPresence(t, gone!, 3);
  expect(back).toBeDefined();
  return windowStartMs(t, back!, gapStart);
}

// A 3 s 440 Hz tone with [start, start+len) replaced by silence or noise.
function withGap(startSample: number, gapMs: number, fill: 'silence' | 'noise'): Float32Array {
  const x = sine(440, 0.3, 3 * SR);
  const len = Math.round((gapMs * SR) / 1000);
  if (fill === 'silence') x.fill(0, startSample, startSample + len);
  else x.set(noise(0.3, len), startSample);
  return x;
}

const fake = (present: boolean[]): Timeline => ({
  sampleRate: SR,
  windowSamples: 480,
  windowMs: 10,
  frequencyHz: 440,
  amplitude: present.map((p) => (p ? 0.3 : 0)),
  purity: present.map((p) => (p ? 1 : 0)),
  rest: present.map(() => 0),
  present,
});
const P = true;
const A = false;

describe('gap measurement on synthetic signals', () => {
  const cases: [string, number, number, 'silence' | 'noise'][] = [
    ['window-aligned silence', 48_000, 200, 'silence'],
    ['unaligned silence', 48_000 + 173, 200, 'silence'],
    ['unaligned short silence', 61_237, 47, 'silence'],
    ['unaligned long silence', 30_011, 1234, 'silence'],
    ['noise-filled gap', 48_000 + 311, 300, 'noise'],
  ];
  for (const [name, start, gapMs, fill] of cases) {
    it(`${name}: ${gapMs} ms at sample ${start} measures within one window`, () => {
      const t = detectTone(withGap(start, gapMs, fill), opts);
      const measured = measuredGapMs(t, start);
      expect(Math.abs(measured - gapMs)).toBeLessThanOrEqual(t.windowMs);
    });
  }

  it('finds no absence in an uninterrupted tone', () => {
    const t = detectTone(sine(440, 0.3, 2 * SR), opts);
    expect(firstSteadyAbsence(t, 0, 1)).toBeUndefined();
    expect(presentFraction(t, 0, t.present.length)).toBe(1);
  });

  it('reports the whole signal absent for a 1 kHz tone or a 0.005 tone', () => {
    for (const x of [sine(1000, 0.3, SR), sine(440, 0.005, SR)]) {
      const t = detectTone(x, opts);
      expect(presentFraction(t, 0, t.present.length)).toBe(0);
      expect(firstSteadyPresence(t, 0, 1)).toBeUndefined();
    }
  });

  it('longestAbsence spans the injected gap', () => {
    const start = 48_000 + 173;
    const t = detectTone(withGap(start, 200, 'silence'), opts);
    const r = longestAbsence(t, 0, t.present.length)!;
    expect(r.present).toBe(false);
    expect(Math.abs(r.durationMs - 200)).toBeLessThanOrEqual(10);
    expect(Math.abs(r.startMs - (start * 1000) / SR)).toBeLessThanOrEqual(10);
  });
});

describe('timeline queries', () => {
  it('windowAt maps samples to window indices', () => {
    const t = fake([P, P, P]);
    expect(windowAt(t, 0)).toBe(0);
    expect(windowAt(t, 479)).toBe(0);
    expect(windowAt(t, 480)).toBe(1);
    expect(windowStartMs(t, 2)).toBe(20);
    expect(windowStartMs(t, 2, 240)).toBe(15);
  });

  it('requires a full run, ignoring shorter flickers', () => {
    const t = fake([P, A, P, A, A, P, P, A, P, P, P]);
    expect(firstSteadyPresence(t, 0, 1)).toBe(0);
    expect(firstSteadyPresence(t, 1, 1)).toBe(2);
    expect(firstSteadyPresence(t, 1, 2)).toBe(5);
    expect(firstSteadyPresence(t, 1, 3)).toBe(8);
    expect(firstSteadyPresence(t, 1, 4)).toBeUndefined();
    expect(firstSteadyAbsence(t, 0, 2)).toBe(3);
    expect(firstSteadyAbsence(t, 5, 1)).toBe(7);
    expect(firstSteadyAbsence(t, 8, 1)).toBeUndefined();
  });

  it('presentFraction counts [from, to) and clamps the range', () => {
    const t = fake([P, A, P, A]);
    expect(presentFraction(t, 0, 4)).toBe(0.5);
    expect(presentFraction(t, 0, 1)).toBe(1);
    expect(presentFraction(t, 1, 2)).toBe(0);
    expect(presentFraction(t, -5, 100)).toBe(0.5);
    expect(presentFraction(t, 3, 3)).toBe(0);
  });

  it('runs are maximal, contiguous and in ms from sample 0', () => {
    const r = runs(fake([P, P, A, A, A, P]));
    expect(r).toEqual([
      { present: true, startWindow: 0, endWindow: 2, startMs: 0, durationMs: 20 },
      { present: false, startWindow: 2, endWindow: 5, startMs: 20, durationMs: 30 },
      { present: true, startWindow: 5, endWindow: 6, startMs: 50, durationMs: 10 },
    ]);
    expect(runs(fake([]))).toEqual([]);
  });

  it('longestAbsence picks the longest, clips to the range, and is undefined without absence', () => {
    const t = fake([A, A, P, A, A, A, P, A]);
    expect(longestAbsence(t, 0, 8)).toMatchObject({ startWindow: 3, endWindow: 6, durationMs: 30 });
    expect(longestAbsence(t, 4, 8)).toMatchObject({ startWindow: 4, endWindow: 6 });
    expect(longestAbsence(t, 0, 2)).toMatchObject({ startWindow: 0, endWindow: 2 });
    expect(longestAbsence(t, 2, 3)).toBeUndefined();
  });
});
