import { describe, expect, it } from 'vitest';
import { coveringSequence, seededRandom } from './random.ts';

describe('seededRandom', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const sa = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(sa);
    expect([c(), c(), c()]).not.toEqual(sa);
    for (const v of sa) expect(v >= 0 && v < 1).toBe(true);
  });
});

describe('coveringSequence', () => {
  const points = ['before-create', 'after-create', 'after-track'] as const;
  it('contains every item at least once, n items in all', () => {
    for (const seed of [1, 2, 3, 99, 123456]) {
      const s = coveringSequence(points, 7, seed);
      expect(s).toHaveLength(7);
      for (const p of points) expect(s).toContain(p);
    }
  });
  it('is the same order for the same seed', () => {
    expect(coveringSequence(points, 9, 5)).toEqual(coveringSequence(points, 9, 5));
    const orders = new Set([1, 2, 3, 4, 5, 6].map((s) => coveringSequence(points, 9, s).join()));
    expect(orders.size).toBeGreaterThan(1);
  });
});
