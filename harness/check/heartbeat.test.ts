import { describe, expect, it } from 'vitest';
import { largestGap, monotonicMs, parseHeartbeat } from './heartbeat.ts';

describe('heartbeat', () => {
  it("parses the Tk app's and the engine's beats, by thread", () => {
    expect(parseHeartbeat('heartbeat t=1234.5')).toBe(1234.5);
    expect(parseHeartbeat('hilt-engine[12] +3.0ms heartbeat audio t=99.0', 'audio')).toBe(99);
    expect(parseHeartbeat('hilt-engine[12] +3.0ms heartbeat audio t=99.0', 'main')).toBeUndefined();
    expect(parseHeartbeat('status MIDI connected')).toBeUndefined();
  });

  it('finds the largest gap inside the window, opened by the last beat before it', () => {
    const beats = [0, 50, 100, 150, 600, 650, 700];
    expect(largestGap(beats, 120, 700)).toMatchObject({ gapMs: 450, fromMs: 150, toMs: 600, ongoing: false, beats: 4 });
  });

  it("counts a loop still blocked at the window's end up to that end", () => {
    expect(largestGap([0, 50, 100], 60, 5100)).toMatchObject({ gapMs: 5000, fromMs: 100, toMs: 5100, ongoing: true });
  });

  it('measures from the window start when no beat came before it', () => {
    expect(largestGap([300], 100, 320)).toMatchObject({ gapMs: 200, fromMs: 100, toMs: 300 });
  });

  it('reads CLOCK_MONOTONIC in ms, the clock the apps print', () => {
    const a = monotonicMs();
    expect(a).toBeGreaterThan(0);
    expect(monotonicMs()).toBeGreaterThanOrEqual(a);
  });
});
