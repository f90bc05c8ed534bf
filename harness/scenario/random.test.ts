import { describe, expect, it } from 'vitest';
import { coveringSequence, repetitionSeed, seededRandom } from './random.ts';

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

describe('repetitionSeed', () => {
  it('repetition 1 is the run seed; the others differ from it and from each other, the same every time', () => {
    expect(repetitionSeed(1234, 1)).toBe(1234);
    const seeds = Array.from({ length: 300 }, (_, i) => repetitionSeed(1234, i + 1));
    expect(new Set(seeds).size).toBe(300);
    expect(repetitionSeed(1234, 7)).toBe(seeds[6]);
    expect(repetitionSeed(1235, 7)).not.toBe(seeds[6]);
    for (const s of seeds) expect(s >= 0 && s <= 0xffffffff && Number.isInteger(s)).toBe(true);
  });
});
