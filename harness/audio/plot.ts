// Self-contained SVG of a tone timeline for reports: amplitude, presence band, fault markers.
import type { Timeline } from './tone.ts';

export interface TimelineSvgOptions {
  title: string;
  markers: { atMs: number; label: string }[];
  fromMs?: number;
  toMs?: number;
  widthPx?: number;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const f = (n: number) => String(Math.round(n * 10) / 10);

// 1, 2 or 5 times a power of ten, giving roughly `target` ticks over the span.
function tickStep(span: number, target: number): number {
  const raw = span / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

export function timelineSvg(t: Timeline, opts: TimelineSvgOptions): string {
  const W = Math.max(200, Math.round(opts.widthPx ?? 800));
  const H = 260;
  const L = 50,
    R = 20,
    TOP = 64,
    AMP_BOTTOM = 190,
    BAND_TOP = 196,
    BAND_BOTTOM = 208,
    AXIS = 214;
  const plotW = W - L - R;
  const fromMs = Math.max(0, opts.fromMs ?? 0);
  let toMs = opts.toMs ?? t.present.length * t.windowMs;
  if (!(toMs > fromMs)) toMs = fromMs + t.windowMs;
  const xOf = (ms: number) => L + (Math.min(toMs, Math.max(fromMs, ms)) - fromMs) * (plotW / (toMs - fromMs));

  const w0 = Math.min(t.present.length, Math.floor(fromMs / t.windowMs));
  const w1 = Math.min(t.present.length, Math.ceil(toMs / t.windowMs));
  const n = w1 - w0;
  // Bucket windows so the output has at most one point per pixel; max keeps the level honest,
  // and a bucket with any absent window shows red so one-window dropouts stay visible.
  const nb = Math.min(n, plotW);
  const buckets: { startMs: number; endMs: number; amp: number; present: boolean }[] = [];
  let peak = 0;
  for (let b = 0; b < nb; b++) {
    const a = w0 + Math.floor((b * n) / nb);
    const z = w0 + Math.floor(((b + 1) * n) / nb);
    let amp = 0;
    let present = true;
    for (let i = a; i < z; i++) {
      amp = Math.max(amp, t.amplitude[i] ?? 0);
      present &&= t.present[i] === true;
    }
    peak = Math.max(peak, amp);
    buckets.push({ startMs: a * t.windowMs, endMs: z * t.windowMs, amp, present });
  }
  const yMax = Math.max(0.1, Math.ceil(peak * 10) / 10);
  const yOf = (a: number) => AMP_BOTTOM - (Math.min(a, yMax) / yMax) * (AMP_BOTTOM - TOP);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="16" text-anchor="middle" font-size="14" font-weight="bold">${esc(opts.title)}</text>`,
    `<line x1="${L}" y1="${yOf(yMax)}" x2="${L + plotW}" y2="${yOf(yMax)}" stroke="#eee"/>`,
    `<text x="${L - 4}" y="${f(yOf(yMax) + 4)}" text-anchor="end">${yMax.toFixed(1)}</text>`,
    `<text x="${L - 4}" y="${AMP_BOTTOM + 4}" text-anchor="end">0</text>`,
    `<text x="12" y="${(TOP + AMP_BOTTOM) / 2}" transform="rotate(-90 12 ${(TOP + AMP_BOTTOM) / 2})" text-anchor="middle">amplitude</text>`,
  ];

  // Presence band: consecutive buckets of one colour merge into a single rect.
  for (let b = 0; b < buckets.length;) {
    const present = buckets[b]!.present;
    let e = b + 1;
    while (e < buckets.length && buckets[e]!.present === present) e++;
    const x = xOf(buckets[b]!.startMs);
    const w = Math.max(0.5, xOf(buckets[e - 1]!.endMs) - x);
    out.push(
      `<rect x="${f(x)}" y="${BAND_TOP}" width="${f(w)}" height="${BAND_BOTTOM - BAND_TOP}" fill="${present ? '#2e7d32' : '#c62828'}"/>`,
    );
    b = e;
  }

  if (buckets.length > 0) {
    const pts = buckets.map((k) => `${f(xOf((k.startMs + k.endMs) / 2))},${f(yOf(k.amp))}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="#1565c0" stroke-width="1"/>`);
  }

  // X axis in ms.
  out.push(`<line x1="${L}" y1="${AXIS}" x2="${L + plotW}" y2="${AXIS}" stroke="#000"/>`);
  const step = tickStep(toMs - fromMs, Math.max(2, Math.floor(plotW / 80)));
  for (let v = Math.ceil(fromMs / step) * step; v <= toMs + 1e-9; v += step) {
    const x = f(xOf(v));
    out.push(`<line x1="${x}" y1="${AXIS}" x2="${x}" y2="${AXIS + 4}" stroke="#000"/>`);
    out.push(`<text x="${x}" y="${AXIS + 16}" text-anchor="middle">${f(v)}</text>`);
  }
  const caption = `time (ms) - ${t.frequencyHz} Hz tone, ${f(t.windowMs)} ms windows; band: green present, red absent`;
  out.push(`<text x="${L + plotW / 2}" y="${H - 8}" text-anchor="middle">${caption}</text>`);

  // Markers: labels stagger over three rows so close events stay readable.
  const shown = opts.markers.filter((m) => m.atMs >= fromMs && m.atMs <= toMs);
  shown.forEach((m, i) => {
    const xv = xOf(m.atMs);
    const x = f(xv);
    const y = 30 + (i % 3) * 11;
    const anchor = xv > L + plotW * 0.8 ? 'end' : 'start'; // keep labels near the right edge inside
    out.push(`<line x1="${x}" y1="${y + 2}" x2="${x}" y2="${BAND_BOTTOM}" stroke="#6a1b9a" stroke-dasharray="4 2"/>`);
    out.push(`<text x="${x}" y="${y}" fill="#6a1b9a" text-anchor="${anchor}">${esc(m.label)}</text>`);
  });

  out.push('</svg>');
  return out.join('\n');
}
