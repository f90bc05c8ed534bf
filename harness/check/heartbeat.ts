// GUI and callback-thread stalls, seen the way a user sees them: a timer the app re-arms on its
// own event loop (or audio thread) stops firing while that loop is blocked. Apps print
// "heartbeat [thread] t=<CLOCK_MONOTONIC ms>"; hilt reads the same clock, so a stall that is
// still going on is measured up to now, not only once the next beat arrives.
import type { Child } from '../proc/child.ts';

const BEAT = /\bheartbeat(?: (\w+))? t=(\d+(?:\.\d+)?)\b/;

// This process's CLOCK_MONOTONIC in ms (Node's hrtime is that clock on Linux and macOS).
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export function parseHeartbeat(line: string, thread?: string): number | undefined {
  const m = BEAT.exec(line);
  if (!m || (thread !== undefined && m[1] !== thread)) return undefined;
  return Number(m[2]);
}

export interface Gap {
  gapMs: number;
  fromMs: number; // the beat before the gap (monotonic ms)
  toMs: number; // the beat after it, or the end of the window when none came
  ongoing: boolean; // no beat came after it before the window ended
  beats: number; // beats inside the window
}

// The largest gap between beats over [fromMs, untilMs]: the last beat before the window opens
// it, and the window's end closes it (a loop still blocked at the end counts up to then).
export function largestGap(beats: number[], fromMs: number, untilMs: number): Gap {
  const before = beats.filter((t) => t <= fromMs);
  const inside = beats.filter((t) => t > fromMs && t <= untilMs);
  const points = [before.length ? before[before.length - 1]! : fromMs, ...inside, untilMs];
  let best: Gap = { gapMs: 0, fromMs, toMs: fromMs, ongoing: false, beats: inside.length };
  for (let i = 1; i < points.length; i++) {
    const gap = points[i]! - points[i - 1]!;
    if (gap > best.gapMs)
      best = { gapMs: gap, fromMs: points[i - 1]!, toMs: points[i]!, ongoing: i === points.length - 1, beats: inside.length };
  }
  return best;
}

// Collects one child's beats from now on.
export class HeartbeatRecorder {
  readonly beats: number[] = [];

  // Listens for the child's whole life: its lines end when it does.
  constructor(child: Child, thread?: string) {
    child.onLine((line) => {
      const t = parseHeartbeat(line, thread);
      if (t !== undefined) this.beats.push(t);
    });
  }

  gap(fromMs: number, untilMs = monotonicMs()): Gap {
    return largestGap(this.beats, fromMs, untilMs);
  }
}
