// Audio evidence: a WAV snippet around an event and the presence timeline as SVG, both from the
// continuous capture, so an engineer can hear and see what the checks decided.
import { encodeWav } from '../audio/wav.ts';
import { timelineSvg } from '../audio/plot.ts';
import { SAMPLE_RATE, type Capture } from '../audio/capture.ts';

export interface Marker {
  at: number; // wall time, performance.now()
  label: string;
}

export function wavAround(capture: Capture, at: number, beforeMs: number, afterMs: number): Buffer {
  const centre = capture.sampleAt(at);
  const from = Math.max(0, centre - Math.round((beforeMs * SAMPLE_RATE) / 1000));
  const to = centre + Math.round((afterMs * SAMPLE_RATE) / 1000);
  return encodeWav(capture.samples(from, to), SAMPLE_RATE);
}

// What a run's picture shows besides the tone: its phases, its deadlines, its verdict.
export interface PlotExtras {
  phases?: { from: number; to: number; label: string }[]; // wall times, performance.now()
  deadlines?: { at: number; label: string; missed: boolean }[];
  verdict?: { pass: boolean; said: string };
}

export function timelinePlot(
  capture: Capture,
  title: string,
  markers: Marker[],
  fromAt?: number,
  toAt?: number,
  extras: PlotExtras = {},
): string {
  return timelineSvg(capture.timeline, {
    title,
    ...(extras.verdict && { verdict: extras.verdict }),
    markers: markers.map((m) => ({ atMs: capture.msAt(m.at), label: m.label })),
    phases: (extras.phases ?? []).map((p) => ({ fromMs: capture.msAt(p.from), toMs: capture.msAt(p.to), label: p.label })),
    deadlines: (extras.deadlines ?? []).map((d) => ({ atMs: capture.msAt(d.at), label: d.label, missed: d.missed })),
    fromMs: fromAt === undefined ? undefined : capture.msAt(fromAt),
    toMs: toAt === undefined ? undefined : capture.msAt(toAt),
  });
}
