// Continuous capture of the rig's observed output (the null sink's monitor, or the rig's capture
// endpoint, recorded by the rig's recorder: harness/audio/audio-io.ts), analysed as it arrives: a
// tone-presence timeline that scenarios wait on, and the raw samples for WAV evidence.
import { HiltError } from '../errors.ts';
import { Child, stopChild } from '../proc/child.ts';
import { now } from '../wait.ts';
import { pulseIo, type AudioIo } from './audio-io.ts';
import { ToneTracker, int16ToFloat, type Timeline } from './tone.ts';
import { firstSteadyAbsence, firstSteadyOtherSound, firstSteadyPresence, windowAt } from './timeline.ts';

export const SAMPLE_RATE = 48_000;
export const WINDOW_MS = 10;
// Raw samples are kept this long, for WAV evidence around a fault; older ones are dropped (the
// tone timeline stays whole). Kept whole, a --repeat 300 grew hilt by 190 KB a second, and every
// process it spawned (fork copies the page tables) got slower: 1.0 s per run at first, 3.5 s at run 260.
export const RETAIN_SECONDS = 120;

// present/absent: the tone; other: sound that is not the tone (a target's own audio).
export type ToneState = 'present' | 'absent' | 'other';
// The level of "other" sound that counts as heard: -40 dBFS RMS, well above the rig's silence.
export const OTHER_SOUND_RMS = 0.01;

export interface ToneWait {
  ok: boolean;
  state: ToneState;
  atMs?: number; // wall time (performance.now()) at which the steady state began
  waitedMs: number;
}

// Each chunk arrives after its samples were made, so (arrival - duration so far) over-estimates
// when sample 0 was captured by the delivery delay; the smallest estimate is the best. Only recent
// ones count: when the recorder loses samples (a starved parecord under load), every later estimate
// is later by what was lost, and a minimum over the whole run mapped "now" further and further into
// samples not yet captured (by run 281 of a --repeat 300, over a second: every resume missed its deadline).
const ORIGIN_WINDOW_MS = 5000;

export class SlidingMin {
  private readonly q: { at: number; v: number }[] = []; // increasing v: a monotonic queue

  constructor(private readonly windowMs: number) {}

  push(at: number, v: number): number {
    while (this.q.length && this.q[this.q.length - 1]!.v >= v) this.q.pop();
    this.q.push({ at, v });
    while (this.q[0]!.at < at - this.windowMs) this.q.shift();
    return this.q[0]!.v;
  }
}

export class Capture {
  readonly tracker: ToneTracker;
  // Extra tones heard at once (multi-app: one victim per frequency).
  private readonly extra = new Map<number, ToneTracker>();
  private readonly chunks: Float32Array[] = [];
  private total = 0;
  private firstKept = 0; // index of the first sample still in `chunks`
  private origin = Number.POSITIVE_INFINITY; // performance.now() of sample 0, estimated
  private readonly estimates = new SlidingMin(ORIGIN_WINDOW_MS);
  private remainder: Buffer = Buffer.alloc(0);
  private listeners = new Set<() => void>();
  private recorder: Child;
  private gapFrom: number | undefined; // set by reconnect(): the next chunk first fills the time without a recorder

  private constructor(
    private readonly device: string,
    private readonly env: Record<string, string>,
    readonly frequencyHz: number,
    private readonly io: AudioIo,
  ) {
    this.tracker = new ToneTracker({ sampleRate: SAMPLE_RATE, frequencyHz, windowMs: WINDOW_MS });
    this.recorder = this.record();
  }

  static start(device: string, env: Record<string, string>, frequencyHz = 440, io: AudioIo = pulseIo): Capture {
    return new Capture(device, env, frequencyHz, io);
  }

  // A new recorder after the server went away under the old one (parecord is a Pulse client: a
  // server restart ends it). The time without one reads as silence, so the timeline stays on the
  // wall clock: a wait "after" the restart starts at the right sample.
  async reconnect(): Promise<void> {
    await stopChild(this.recorder, this.io.recorderStop, 1000);
    this.remainder = Buffer.alloc(0);
    this.gapFrom = this.total;
    this.recorder = this.record();
  }

  private record(): Child {
    const cmd = this.io.recorder(this.device, SAMPLE_RATE);
    const rec = new Child(cmd.file, cmd.args, {
      name: 'recorder',
      env: this.env,
      rawStdout: true,
      ...(cmd.endsWithHilt && { endsWithHilt: true }),
    });
    rec.stdout?.on('data', (b: Buffer) => this.onData(b));
    return rec;
  }

  get timeline(): Timeline {
    return this.tracker.timeline;
  }

  // Starts following another frequency from now on. With several tones mixed, each holds only
  // part of the energy, so the purity floor is lowered; pick frequencies on whole 100 Hz bins
  // (10 ms windows) and they do not leak into each other.
  addTone(frequencyHz: number, minPurity = 0.15): Timeline {
    let t = this.extra.get(frequencyHz);
    if (!t) {
      t = new ToneTracker({ sampleRate: SAMPLE_RATE, frequencyHz, windowMs: WINDOW_MS, minPurity });
      // Align with the samples already seen, so window indexes match sample indexes.
      t.push(this.samples(0, this.total));
      this.extra.set(frequencyHz, t);
    }
    return t.timeline;
  }

  timelineOf(frequencyHz?: number): Timeline {
    if (frequencyHz === undefined || frequencyHz === this.frequencyHz) return this.timeline;
    const t = this.extra.get(frequencyHz);
    if (!t) throw new HiltError('INTERNAL', `no tracker for ${frequencyHz} Hz`, { hint: 'call capture.addTone() first' });
    return t.timeline;
  }

  get samplesSeen(): number {
    return this.total;
  }

  // Sample index at wall time t. Each chunk arrives after its samples were made, so the earliest
  // (arrival - duration) seen is the best estimate of when sample 0 was captured.
  sampleAt(t: number): number {
    return Math.max(0, Math.round(((t - this.origin) * SAMPLE_RATE) / 1000));
  }

  timeAt(sample: number): number {
    return this.origin + (sample * 1000) / SAMPLE_RATE;
  }

  // Milliseconds on the capture's own clock (0 = first sample): the x axis of timelines.
  msAt(t: number): number {
    return (this.sampleAt(t) * 1000) / SAMPLE_RATE;
  }

  // Samples dropped for their age read as silence.
  samples(fromSample = 0, toSample = this.total): Float32Array {
    const out = new Float32Array(Math.max(0, Math.min(toSample, this.total) - fromSample));
    let pos = this.firstKept;
    for (const c of this.chunks) {
      const start = Math.max(fromSample - pos, 0);
      const end = Math.min(toSample - pos, c.length);
      if (end > start) out.set(c.subarray(start, end), pos + start - fromSample);
      pos += c.length;
      if (pos >= toSample) break;
    }
    return out;
  }

  // Waits until the tone is steadily `state` (for minRunMs) starting at or after wall time `after`
  // (`other`: something besides the tone is heard that long).
  waitFor(state: ToneState, opts: { after: number; minRunMs: number; deadlineMs: number; hz?: number }): Promise<ToneWait> {
    const started = now();
    const timeline = this.timelineOf(opts.hz);
    const run = Math.max(1, Math.round(opts.minRunMs / WINDOW_MS));
    const find =
      state === 'present'
        ? firstSteadyPresence
        : state === 'absent'
          ? firstSteadyAbsence
          : (t: Timeline, from: number, n: number) => firstSteadyOtherSound(t, from, n, OTHER_SOUND_RMS);
    return new Promise((resolve) => {
      const check = (final: boolean): boolean => {
        const from = windowAt(timeline, this.sampleAt(opts.after));
        const w = find(timeline, from, run);
        if (w === undefined && !final) return false;
        this.listeners.delete(listener);
        clearTimeout(timer);
        resolve(
          w === undefined
            ? { ok: false, state, waitedMs: now() - started }
            : { ok: true, state, atMs: this.timeAt(w * timeline.windowSamples), waitedMs: now() - started },
        );
        return true;
      };
      const listener = () => void check(false);
      const timer = setTimeout(() => check(true), opts.deadlineMs);
      this.listeners.add(listener);
      check(false);
    });
  }

  async stop(): Promise<void> {
    await stopChild(this.recorder, this.io.recorderStop, 1000);
  }

  assertRunning(): void {
    if (this.recorder.done) {
      const name = this.io.recorderName;
      throw new HiltError('RIG_START', `the recorder (${name}) of the observed output has exited`, {
        expected: `${name} capturing ${this.device} for the whole run`,
        seen: `exit ${this.recorder.done.exitCode ?? this.recorder.done.signal}: ${this.recorder.outputTail(5)}`,
        hint: `check that the rig is still up (${this.io.upCheck ?? 'pnpm rig check'})`,
      });
    }
  }

  // Silence from where the old recorder stopped to where this chunk began on the wall clock.
  private fillGap(chunkSamples: number): void {
    this.gapFrom = undefined;
    const missing = this.sampleAt(now() - (chunkSamples * 1000) / SAMPLE_RATE) - this.total;
    if (missing <= 0) return;
    const silence = new Float32Array(missing);
    this.total += missing;
    this.chunks.push(silence);
    this.tracker.push(silence);
    for (const t of this.extra.values()) t.push(silence);
  }

  private onData(b: Buffer): void {
    const data = this.remainder.length ? Buffer.concat([this.remainder, b]) : b;
    const usable = data.length - (data.length % 2);
    this.remainder = data.subarray(usable);
    if (usable === 0) return;
    const samples = int16ToFloat(data.subarray(0, usable));
    if (this.gapFrom !== undefined) this.fillGap(samples.length);
    this.total += samples.length;
    const t = now();
    this.origin = this.estimates.push(t, t - (this.total * 1000) / SAMPLE_RATE);
    this.chunks.push(samples);
    while (this.chunks.length > 1 && this.total - this.firstKept - this.chunks[0]!.length >= RETAIN_SECONDS * SAMPLE_RATE) {
      this.firstKept += this.chunks.shift()!.length;
    }
    this.tracker.push(samples);
    for (const t of this.extra.values()) t.push(samples);
    for (const l of this.listeners) l();
  }
}
