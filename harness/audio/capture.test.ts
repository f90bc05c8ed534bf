import { describe, expect, it } from 'vitest';
import { SlidingMin } from './capture.ts';

describe('SlidingMin (the capture origin estimate)', () => {
  it('is the smallest value of the last window, so a lasting rise (samples lost) is followed', () => {
    const m = new SlidingMin(5000);
    expect(m.push(0, 100)).toBe(100);
    expect(m.push(1000, 90)).toBe(90);
    expect(m.push(2000, 95)).toBe(90); // a later chunk, delivered later: the earlier minimum holds
    expect(m.push(6100, 300)).toBe(95); // 200 ms of samples lost at 6.1 s: 90 (at 1 s) has left the window
    expect(m.push(7100, 301)).toBe(300);
    expect(m.push(12000, 305)).toBe(301);
  });
});
