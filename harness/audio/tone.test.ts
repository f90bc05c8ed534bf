import { describe, expect, it } from 'vitest';
import { isHiltError } from '../errors.ts';
import { noise, sine as makeSine } from './signals.ts';
import { detectTone, int16ToFloat, ToneTracker } from './tone.ts';

const SR = 48_000;
const opts = { sampleRate: SR, frequencyHz: 440, windowMs: 10 };

const sine = (hz: number, amp: number, n: number, phase = 0) => makeSine(hz, amp, n, SR, phase);

describe('detectTone', () => {
  it('sizes windows from windowMs', () => {
    const t = detectTone(sine(440, 0.3, SR), opts);
    expect(t.windowSamples).toBe(480);
    expect(t.windowMs).toBe(10);
    expect(t.amplitude).toHaveLength(100);
  });

  it('detects a steady 440 Hz sine at 0.3 in every non-integer-period window within 10 %', () => {
    for (const phase of [0, 1, 2.5]) {
      const t = detectTone(sine(440, 0.3, SR, phase), opts);
      expect(t.present.every(Boolean)).toBe(true);
      for (const a of t.amplitude) expect(Math.abs(a - 0.3) / 0.3).toBeLessThan(0.1);
      for (const p of t.purity) expect(p).toBeGreaterThan(0.9);
    }
  });

  it('reads a full-scale sine as ~1.0', () => {
    const t = detectTone(sine(440, 1, SR), opts);
    for (const a of t.amplitude) expect(a).toBeCloseTo(1, 1);
  });

  it('reports white noise at 0.3 RMS as absent', () => {
    const t = detectTone(noise(0.3, SR), opts);
    expect(t.present.some(Boolean)).toBe(false);
    expect(Math.max(...t.purity)).toBeLessThan(0.1);
  });

  it("measures the rest: another program's sound mixed with the tone, and nothing besides a lone tone", () => {
    const lone = detectTone(sine(440, 0.3, SR), opts);
    expect(Math.max(...lone.rest)).toBeLessThan(0.01);
    const a = sine(440, 0.3, SR);
    const b = sine(1000, 0.1, SR);
    const t = detectTone(
      a.map((v, i) => v + b[i]!),
      opts,
    );
    expect(t.present.every(Boolean)).toBe(true);
    for (const r of t.rest) expect(r).toBeCloseTo(0.1 / Math.SQRT2, 2); // a sine's RMS is its amplitude / sqrt 2
  });

  it('does not mistake a 1 kHz tone for 440 Hz', () => {
    const t = detectTone(sine(1000, 0.3, SR), opts);
    expect(t.present.some(Boolean)).toBe(false);
    expect(detectTone(sine(1000, 0.3, SR), { ...opts, frequencyHz: 1000 }).present.every(Boolean)).toBe(true);
  });

  it('treats a 0.005 tone as absent by default but present with a lower threshold', () => {
    expect(detectTone(sine(440, 0.005, SR), opts).present.some(Boolean)).toBe(false);
    expect(detectTone(sine(440, 0.005, SR), { ...opts, minAmplitude: 0.001 }).present.every(Boolean)).toBe(true);
  });

  it('gives silence zero amplitude and purity', () => {
    const t = detectTone(new Float32Array(4800), opts);
    expect(t.amplitude.every((a) => a === 0)).toBe(true);
    expect(t.purity.every((p) => p === 0)).toBe(true);
    expect(t.present.some(Boolean)).toBe(false);
  });

  it('still detects the tone under a little noise', () => {
    const x = sine(440, 0.3, SR);
    const n = noise(0.03, SR, 7);
    for (let i = 0; i < x.length; i++) x[i]! += n[i]!;
    expect(detectTone(x, opts).present.every(Boolean)).toBe(true);
  });

  it('rejects windows over 10 ms and frequencies above Nyquist', () => {
    expect(() => detectTone(new Float32Array(10), { ...opts, windowMs: 20 })).toThrow(/windowMs/);
    try {
      detectTone(new Float32Array(10), { ...opts, frequencyHz: 30_000 });
      expect.unreachable();
    } catch (e) {
      expect(isHiltError(e, 'INTERNAL')).toBe(true);
    }
  });
});

describe('ToneTracker', () => {
  it('gives the same timeline when fed in odd-sized chunks', () => {
    const x = sine(440, 0.3, SR);
    x.fill(0, 10_000, 15_000);
    const whole = detectTone(x, opts);
    const tr = new ToneTracker(opts);
    for (let at = 0, k = 1; at < x.length; at += 37 * k, k = (k % 50) + 1) tr.push(x.subarray(at, at + 37 * k));
    expect(tr.samplesSeen).toBe(x.length);
    expect(tr.timeline.present).toEqual(whole.present);
    for (let i = 0; i < whole.amplitude.length; i++) expect(tr.timeline.amplitude[i]).toBeCloseTo(whole.amplitude[i]!, 9);
  });

  it('holds back a partial window until it completes', () => {
    const tr = new ToneTracker(opts);
    tr.push(sine(440, 0.3, 700));
    expect(tr.timeline.present).toHaveLength(1);
    tr.push(sine(440, 0.3, 260));
    expect(tr.timeline.present).toHaveLength(2);
    expect(tr.samplesSeen).toBe(960);
  });

  it('is not corrupted when the caller reuses its buffer', () => {
    const tr = new ToneTracker(opts);
    const buf = sine(440, 0.3, 300);
    tr.push(buf);
    buf.fill(0);
    tr.push(sine(440, 0.3, 180, (2 * Math.PI * 440 * 300) / SR));
    expect(tr.timeline.amplitude[0]).toBeCloseTo(0.3, 1);
  });
});

describe('int16ToFloat', () => {
  it('converts s16le bytes, including at an odd byte offset', () => {
    const raw = Buffer.alloc(9);
    const b = raw.subarray(1);
    b.writeInt16LE(-32768, 0);
    b.writeInt16LE(16384, 2);
    b.writeInt16LE(0, 4);
    b.writeInt16LE(32767, 6);
    expect(Array.from(int16ToFloat(b))).toEqual([-1, 0.5, 0, 32767 / 32768]);
  });

  it('converts an Int16Array', () => {
    expect(Array.from(int16ToFloat(Int16Array.of(-16384, 8192)))).toEqual([-0.5, 0.25]);
  });

  it('refuses an odd byte count', () => {
    expect(() => int16ToFloat(Buffer.alloc(3))).toThrow(/odd number of bytes/);
  });
});
