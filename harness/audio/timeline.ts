// Queries over a tone Timeline: where the tone steadily stops and resumes, and for how long.
import type { Timeline } from './tone.ts';

export interface Run {
  present: boolean;
  startWindow: number;
  endWindow: number; // exclusive
  startMs: number;
  durationMs: number;
}

export const windowAt = (t: Timeline, sample: number): number => Math.floor(sample / t.windowSamples);

// Milliseconds from sample position `fromSample` to the start of window `w` (negative if before).
export const windowStartMs = (t: Timeline, w: number, fromSample = 0): number => ((w * t.windowSamples - fromSample) * 1000) / t.sampleRate;

function firstRun(t: Timeline, fromWindow: number, minRun: number, holds: (w: number) => boolean): number | undefined {
  const need = Math.max(1, minRun);
  let run = 0;
  for (let i = Math.max(0, fromWindow); i < t.present.length; i++) {
    run = holds(i) ? run + 1 : 0;
    if (run >= need) return i - need + 1;
  }
  return undefined;
}

// A run requirement keeps one-window flickers from counting as a resume or a dropout.
export function firstSteadyPresence(t: Timeline, fromWindow: number, minRunWindows: number): number | undefined {
  return firstRun(t, fromWindow, minRunWindows, (w) => t.present[w]!);
}

export function firstSteadyAbsence(t: Timeline, fromWindow: number, minRunWindows: number): number | undefined {
  return firstRun(t, fromWindow, minRunWindows, (w) => !t.present[w]);
}

// Sound that is not the tone (another program playing): its RMS at least `minLevel`, steadily.
export function firstSteadyOtherSound(t: Timeline, fromWindow: number, minRunWindows: number, minLevel: number): number | undefined {
  return firstRun(t, fromWindow, minRunWindows, (w) => t.rest[w]! >= minLevel);
}

// Fraction of windows in [fromWindow, toWindow) that are present; 0 for an empty range.
export function presentFraction(t: Timeline, fromWindow: number, toWindow: number): number {
  const from = Math.max(0, fromWindow);
  const to = Math.min(t.present.length, toWindow);
  if (to <= from) return 0;
  let n = 0;
  for (let i = from; i < to; i++) if (t.present[i]) n++;
  return n / (to - from);
}

function runsIn(t: Timeline, from: number, to: number): Run[] {
  const out: Run[] = [];
  for (let i = from; i < to;) {
    const present = t.present[i]!;
    let j = i + 1;
    while (j < to && t.present[j] === present) j++;
    out.push({
      present,
      startWindow: i,
      endWindow: j,
      startMs: windowStartMs(t, i),
      durationMs: (j - i) * t.windowMs,
    });
    i = j;
  }
  return out;
}

export function runs(t: Timeline): Run[] {
  return runsIn(t, 0, t.present.length);
}

// Longest absent run inside [fromWindow, toWindow), clipped to that range; first one wins ties.
export function longestAbsence(t: Timeline, fromWindow: number, toWindow: number): Run | undefined {
  let best: Run | undefined;
  for (const r of runsIn(t, Math.max(0, fromWindow), Math.min(t.present.length, toWindow))) {
    if (!r.present && (!best || r.durationMs > best.durationMs)) best = r;
  }
  return best;
}
