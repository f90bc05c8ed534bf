// Goertzel tone detector: per fixed window, how strong a single frequency is and how much of the
// window's energy it accounts for. Used to time when audio stops and resumes around faults.
import { HiltError } from '../errors.ts';

export interface ToneDetectorOptions {
  sampleRate: number;
  frequencyHz: number;
  windowMs: number; // <= 10, so gap timing resolves to one window
  minAmplitude?: number; // default 0.02 of full scale
  minPurity?: number; // default 0.5: fraction of window energy at the tone
}

export interface Timeline {
  sampleRate: number;
  windowSamples: number;
  windowMs: number; // actual window length after rounding to whole samples
  frequencyHz: number;
  amplitude: number[];
  purity: number[];
  present: boolean[];
  rest: number[]; // RMS of everything in the window but the tone: another program's sound
}

const DEFAULT_MIN_AMPLITUDE = 0.02;
const DEFAULT_MIN_PURITY = 0.5;

function checkOptions(o: ToneDetectorOptions): number {
  const bad = (what: string, seen: unknown) => new HiltError('INTERNAL', `invalid tone detector option: ${what}`, { seen: String(seen) });
  if (!(o.sampleRate > 0) || !Number.isFinite(o.sampleRate)) throw bad('sampleRate must be > 0', o.sampleRate);
  if (!(o.frequencyHz > 0 && o.frequencyHz < o.sampleRate / 2)) throw bad('frequencyHz must be between 0 and sampleRate/2', o.frequencyHz);
  if (!(o.windowMs > 0 && o.windowMs <= 10)) throw bad('windowMs must be in (0, 10]', o.windowMs);
  const n = Math.round((o.sampleRate * o.windowMs) / 1000);
  if (n < 2) throw bad('window must hold at least 2 samples', n);
  return n;
}

// Generalized Goertzel: evaluates the DTFT at the exact frequency (non-integer bin), so windows
// holding a fractional number of periods still read ~A; only the tiny negative-frequency image leaks.
function analyse(x: Float32Array, start: number, n: number, coeff: number, cosw: number, fit: Fit) {
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = start; i < start + n; i++) {
    const v = x[i]!;
    energy += v * v;
    const s0 = v + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const mag2 = Math.max(0, s1 * s1 + s2 * s2 - 2 * cosw * s1 * s2);
  const amplitude = (2 * Math.sqrt(mag2)) / n;
  const meanSquare = energy / n;
  // Clamped: leakage can push the ratio a hair over 1 for a pure tone.
  const purity = meanSquare > 0 ? Math.min(1, (amplitude * amplitude) / 2 / meanSquare) : 0;
  return { amplitude, purity, rest: restOf(x, start, fit, energy) };
}

// Everything but the tone: the window minus its least-squares fit a*cos + b*sin at the tone's
// frequency (exact for any phase and a fractional number of periods, where Goertzel's amplitude
// is off by up to 10 % and would leave a false rest).
interface Fit {
  cos: Float64Array;
  sin: Float64Array;
  cc: number;
  ss: number;
  cs: number;
}

function fitFor(n: number, w: number): Fit {
  const cos = Float64Array.from({ length: n }, (_, i) => Math.cos(w * i));
  const sin = Float64Array.from({ length: n }, (_, i) => Math.sin(w * i));
  let [cc, ss, cs] = [0, 0, 0];
  for (let i = 0; i < n; i++) [cc, ss, cs] = [cc + cos[i]! ** 2, ss + sin[i]! ** 2, cs + cos[i]! * sin[i]!];
  return { cos, sin, cc, ss, cs };
}

function restOf(x: Float32Array, start: number, f: Fit, energy: number): number {
  let xc = 0;
  let xs = 0;
  for (let i = 0; i < f.cos.length; i++) {
    xc += x[start + i]! * f.cos[i]!;
    xs += x[start + i]! * f.sin[i]!;
  }
  const det = f.cc * f.ss - f.cs * f.cs;
  const a = (xc * f.ss - xs * f.cs) / det;
  const b = (xs * f.cc - xc * f.cs) / det;
  // Residual energy of a least-squares fit: the total minus what the fit explains.
  return Math.sqrt(Math.max(0, energy - (a * xc + b * xs)) / f.cos.length);
}

export class ToneTracker {
  readonly timeline: Timeline;
  private readonly minAmplitude: number;
  private readonly minPurity: number;
  private readonly coeff: number;
  private readonly cosw: number;
  private readonly fit: Fit;
  private remainder = new Float32Array(0);
  private seen = 0;

  constructor(opts: ToneDetectorOptions) {
    const n = checkOptions(opts);
    const w = (2 * Math.PI * opts.frequencyHz) / opts.sampleRate;
    this.cosw = Math.cos(w);
    this.coeff = 2 * this.cosw;
    this.fit = fitFor(n, w);
    this.minAmplitude = opts.minAmplitude ?? DEFAULT_MIN_AMPLITUDE;
    this.minPurity = opts.minPurity ?? DEFAULT_MIN_PURITY;
    this.timeline = {
      sampleRate: opts.sampleRate,
      windowSamples: n,
      windowMs: (n * 1000) / opts.sampleRate,
      frequencyHz: opts.frequencyHz,
      amplitude: [],
      purity: [],
      present: [],
      rest: [],
    };
  }

  get samplesSeen(): number {
    return this.seen;
  }

  push(samples: Float32Array): void {
    this.seen += samples.length;
    let buf = samples;
    if (this.remainder.length > 0) {
      buf = new Float32Array(this.remainder.length + samples.length);
      buf.set(this.remainder);
      buf.set(samples, this.remainder.length);
    }
    const n = this.timeline.windowSamples;
    let at = 0;
    for (; at + n <= buf.length; at += n) {
      const { amplitude, purity, rest } = analyse(buf, at, n, this.coeff, this.cosw, this.fit);
      this.timeline.rest.push(rest);
      this.timeline.amplitude.push(amplitude);
      this.timeline.purity.push(purity);
      this.timeline.present.push(amplitude >= this.minAmplitude && purity >= this.minPurity);
    }
    // Copy, not subarray: the caller may reuse its buffer.
    this.remainder = buf.slice(at);
  }
}

export function detectTone(samples: Float32Array, opts: ToneDetectorOptions): Timeline {
  const t = new ToneTracker(opts);
  t.push(samples);
  return t.timeline;
}

// s16le PCM -> floats in [-1, 1). Buffers may be unaligned, so read bytes rather than view them.
export function int16ToFloat(buf: Buffer | Int16Array): Float32Array {
  if (buf instanceof Int16Array) return Float32Array.from(buf, (v) => v / 32768);
  if (buf.length % 2 !== 0)
    throw new HiltError('INTERNAL', 's16le buffer has an odd number of bytes', {
      seen: `${buf.length} bytes`,
      hint: 'carry the trailing byte over to the next chunk before converting',
    });
  const out = new Float32Array(buf.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(i * 2) / 32768;
  return out;
}
