import { describe, expect, it } from 'vitest';
import { timelineSvg } from './plot.ts';
import type { Timeline } from './tone.ts';

const timeline = (present: boolean[]): Timeline => ({
  sampleRate: 48_000,
  windowSamples: 480,
  windowMs: 10,
  frequencyHz: 440,
  amplitude: present.map((p, i) => (p ? 0.3 + 0.01 * Math.sin(i) : 0.001)),
  purity: present.map((p) => (p ? 1 : 0)),
  rest: present.map(() => 0),
  present,
});

// Element names must nest and close properly; attributes must be quoted; no bare `&`.
function checkWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)((?:\s+[a-zA-Z][\w:-]*="[^"<]*")*)\s*(\/?)>/g)) {
    const [, close, name, , self] = m;
    if (close) expect(stack.pop()).toBe(name);
    else if (!self) stack.push(name!);
  }
  expect(stack).toEqual([]);
  // Every `<` must start a tag the regex above accepted.
  expect(svg.replace(/<(\/?)([a-zA-Z]+)((?:\s+[a-zA-Z][\w:-]*="[^"<]*")*)\s*(\/?)>/g, '')).not.toMatch(/</);
  expect(svg).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
}

// 10 s with a 300 ms dropout at 4 s.
const tenSeconds = () => timeline(Array.from({ length: 1000 }, (_, i) => i < 400 || i >= 430));

describe('timelineSvg', () => {
  it('is a well-formed self-contained svg with title, markers, axis and band', () => {
    const svg = timelineSvg(tenSeconds(), {
      title: 'kill & relaunch <engine>',
      markers: [
        { atMs: 4000, label: 'SIGKILL' },
        { atMs: 4100, label: 'relaunch' },
        { atMs: 4300, label: 'tone "back" & steady' },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    checkWellFormed(svg);
    expect(svg).toContain('kill &amp; relaunch &lt;engine&gt;');
    expect(svg).toContain('>SIGKILL</text>');
    expect(svg).toContain('>relaunch</text>');
    expect(svg).toContain('tone &quot;back&quot; &amp; steady');
    expect(svg).toContain('#c62828'); // absent shading
    expect(svg).toContain('#2e7d32'); // present shading
    expect(svg).toContain('>6000</text>'); // an x tick
    expect(svg).not.toMatch(/<script|href=|url\(/i);
  });

  it('draws the verdict, the phases (named where they fit, else numbered and listed) and each deadline, red when missed', () => {
    const svg = timelineSvg(tenSeconds(), {
      title: 'kill9 run 1',
      verdict: { pass: false, said: 'FAIL (no-orphans)' },
      markers: [{ atMs: 4000, label: 'SIGKILL' }],
      phases: [
        { fromMs: 0, toMs: 3000, label: 'engine tapping' },
        { fromMs: 4000, toMs: 4020, label: 'inventory after the fault' },
      ],
      deadlines: [
        { atMs: 5000, label: 'resume deadline', missed: true },
        { atMs: 4500, label: 'stop deadline', missed: false },
      ],
    });
    checkWellFormed(svg);
    expect(svg).toMatch(/fill="#c62828">FAIL \(no-orphans\)<\/text>/);
    expect(svg).toMatch(/#0d47a1">engine tapping<\/text>/); // wide enough: named in its bar
    expect(svg).toMatch(/#0d47a1">2<\/text>/); // too narrow: numbered
    expect(svg).toContain('phases: 2 inventory after the fault');
    expect(svg).toMatch(/fill="#c62828" text-anchor="\w+">resume deadline \(missed\)</);
    expect(svg).toMatch(/fill="#ef6c00" text-anchor="\w+">stop deadline</);
    const height = Number(/height="(\d+)"/.exec(svg)![1]);
    expect(height).toBeGreaterThan(260); // grown for the verdict line, the phase lane and its legend
  });

  it('draws exactly one red band segment for one dropout', () => {
    const svg = timelineSvg(tenSeconds(), { title: 't', markers: [] });
    expect(svg.match(/fill="#c62828"/g)).toHaveLength(1);
    expect(svg.match(/fill="#2e7d32"/g)).toHaveLength(2);
  });

  it('keeps a single-window dropout visible after down-sampling', () => {
    const present = Array.from({ length: 1000 }, (_, i) => i !== 777);
    const svg = timelineSvg(timeline(present), { title: 't', markers: [], widthPx: 300 });
    expect(svg.match(/fill="#c62828"/g)).toHaveLength(1);
  });

  it('stays small for 10 s: at most ~1 point per pixel even when presence flickers', () => {
    const steady = timelineSvg(tenSeconds(), { title: 't', markers: [] });
    expect(steady.length).toBeLessThan(20_000);
    const flicker = timelineSvg(timeline(Array.from({ length: 1000 }, (_, i) => i % 2 === 0)), {
      title: 't',
      markers: [],
    });
    const points = flicker.match(/points="([^"]*)"/)![1]!.split(' ');
    expect(points.length).toBeLessThanOrEqual(800);
    expect(flicker.length).toBeLessThan(100_000);
  });

  it('limits the view to fromMs..toMs and drops markers outside it', () => {
    const svg = timelineSvg(tenSeconds(), {
      title: 'zoom',
      markers: [
        { atMs: 4000, label: 'inside' },
        { atMs: 9000, label: 'outside' },
      ],
      fromMs: 3500,
      toMs: 5000,
    });
    checkWellFormed(svg);
    expect(svg).toContain('>inside</text>');
    expect(svg).not.toContain('outside');
    expect(svg).toContain('>3600</text>');
    expect(svg).not.toContain('>6000</text>');
    expect(svg.match(/points="([^"]*)"/)![1]!.split(' ')).toHaveLength(150);
  });

  it('renders an empty timeline without throwing', () => {
    const svg = timelineSvg(timeline([]), { title: 'empty', markers: [{ atMs: 0, label: 'start' }] });
    checkWellFormed(svg);
    expect(svg).toContain('empty');
  });
});
