// Self-contained SVG of a tone timeline for reports: the verdict in the title, amplitude, the
// presence band, the run's phases as a labelled lane, its events, and each deadline where it falls
// (red when it was missed: what a failed run waited for and never saw).
import type { Timeline } from './tone.ts';

export interface TimelineSvgOptions {
  title: string;
  verdict?: { pass: boolean; said: string }; // "PASS", "FAIL: no-orphans, resumed"
  markers: { atMs: number; label: string }[];
  phases?: { fromMs: number; toMs: number; label: string }[];
  deadlines?: { atMs: number; label: string; missed: boolean }[];
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
  const phases = opts.phases ?? [];
  const LANE = phases.length ? 34 : 0; // two staggered rows of phase bars with their names
  const HEAD = opts.verdict ? 16 : 0; // the verdict on a line of its own above the title
  const legendWidth = Math.floor((W - 60) / 5.6); // characters of the phase legend per line
  const unnamed: string[] = [];
  const legendLines: string[] = [];
  const H0 = 260 + LANE;
  const L = 50,
    R = 20,
    TOP = 64 + HEAD,
    AMP_BOTTOM = 190 + HEAD,
    BAND_TOP = 196 + HEAD,
    BAND_BOTTOM = 208 + HEAD,
    LANE_TOP = 212 + HEAD,
    AXIS = 214 + LANE + HEAD;
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
    '', // the opening tag and the background, once the height is known (below)
    '',
    ...(opts.verdict
      ? [
          `<text x="${W / 2}" y="16" text-anchor="middle" font-size="14" font-weight="bold" ` +
            `fill="${opts.verdict.pass ? '#2e7d32' : '#c62828'}">${esc(opts.verdict.said)}</text>`,
        ]
      : []),
    `<text x="${W / 2}" y="${16 + HEAD}" text-anchor="middle" font-size="${HEAD ? 12 : 14}" font-weight="bold">${esc(opts.title)}</text>`,
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

  // Phases: bars on two staggered rows, each named where its name fits, else numbered and listed.
  phases
    .filter((p) => p.toMs >= fromMs && p.fromMs <= toMs)
    .forEach((p, i) => {
      const x0 = xOf(p.fromMs);
      const w = Math.max(1, xOf(p.toMs) - x0);
      const y = LANE_TOP + (i % 2) * 17;
      const fits = p.label.length * 5.6 + 6 <= w;
      const name = fits ? p.label : String(i + 1);
      if (!fits) unnamed.push(`${i + 1} ${p.label}`);
      out.push(`<rect x="${f(x0)}" y="${y}" width="${f(w)}" height="14" fill="${i % 2 ? '#bbdefb' : '#e3f2fd'}" stroke="#90caf9"/>`);
      out.push(`<text x="${f(x0 + 3)}" y="${y + 11}" font-size="10" fill="#0d47a1">${esc(name)}</text>`);
    });
  for (const item of unnamed.map((u, i) => (i ? ' · ' : 'phases: ') + u)) {
    const last = legendLines.length - 1;
    if (last >= 0 && legendLines[last]!.length + item.length <= legendWidth) legendLines[last] += item;
    else legendLines.push(item.replace(/^ · /, ''));
  }
  legendLines.forEach((line, i) =>
    out.push(`<text x="${L}" y="${H0 + HEAD + 6 + i * 13}" font-size="10" fill="#0d47a1">${esc(line)}</text>`),
  );

  // X axis in ms.
  out.push(`<line x1="${L}" y1="${AXIS}" x2="${L + plotW}" y2="${AXIS}" stroke="#000"/>`);
  const step = tickStep(toMs - fromMs, Math.max(2, Math.floor(plotW / 80)));
  for (let v = Math.ceil(fromMs / step) * step; v <= toMs + 1e-9; v += step) {
    const x = f(xOf(v));
    out.push(`<line x1="${x}" y1="${AXIS}" x2="${x}" y2="${AXIS + 4}" stroke="#000"/>`);
    out.push(`<text x="${x}" y="${AXIS + 16}" text-anchor="middle">${f(v)}</text>`);
  }
  const caption = `time (ms) - ${t.frequencyHz} Hz tone, ${f(t.windowMs)} ms windows; band: green present, red absent`;
  out.push(`<text x="${L + plotW / 2}" y="${AXIS + 32}" text-anchor="middle">${caption}</text>`);

  // Events (dashed, purple) and deadlines (solid; orange, red when missed), each label on the
  // first of three rows where it overlaps no other label (else the least crowded row).
  const items = [
    ...opts.markers.map((m) => ({ atMs: m.atMs, text: m.label, colour: '#6a1b9a', dash: true })),
    ...(opts.deadlines ?? []).map((d) => ({
      atMs: d.atMs,
      text: d.label + (d.missed ? ' (missed)' : ''),
      colour: d.missed ? '#c62828' : '#ef6c00',
      dash: false,
    })),
  ]
    .filter((m) => m.atMs >= fromMs && m.atMs <= toMs)
    .sort((a, b) => a.atMs - b.atMs);
  const rows: [number, number][][] = [[], [], []];
  for (const m of items) {
    const xv = xOf(m.atMs);
    const anchor = xv > L + plotW * 0.8 ? 'end' : 'start'; // keep labels near the right edge inside
    const width = m.text.length * 6;
    const span: [number, number] = anchor === 'end' ? [xv - width, xv] : [xv, xv + width];
    const overlap = (r: [number, number][]) => r.reduce((n, [a, b]) => n + Math.max(0, Math.min(b, span[1]) - Math.max(a, span[0])), 0);
    const row = rows.map((r, i) => [overlap(r), i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1])[0]![1];
    rows[row]!.push(span);
    const y = 30 + HEAD + row * 11;
    const x = f(xv);
    const stroke = m.dash ? 'stroke-dasharray="4 2"' : 'stroke-width="1.5"';
    out.push(`<line x1="${x}" y1="${y + 2}" x2="${x}" y2="${BAND_BOTTOM}" stroke="${m.colour}" ${stroke}/>`);
    out.push(`<text x="${x}" y="${y}" fill="${m.colour}" text-anchor="${anchor}">${esc(m.text)}</text>`);
  }

  out.push('</svg>');
  // The height is known once the legend is laid out: set it on the opening tag.
  const H = H0 + HEAD + (legendLines.length ? legendLines.length * 13 + 4 : 0);
  out[0] =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
    'font-family="sans-serif" font-size="11">';
  out[1] = `<rect width="${W}" height="${H}" fill="#fff"/>`;
  return out.join('\n');
}
