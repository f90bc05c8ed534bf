import { describe, expect, it } from 'vitest';
import {
  binomialCdf,
  clopperPearsonLower,
  clopperPearsonUpper,
  describeFailureRate,
  describeRuns,
  metricStats,
  quantile,
  repeatedVerdict,
} from './stats.ts';

describe('clopperPearsonUpper', () => {
  it('0 of n has the closed form 1 - alpha^(1/n): 0 of 300 is below 1%', () => {
    expect(clopperPearsonUpper(0, 300)).toBeCloseTo(1 - 0.05 ** (1 / 300), 9);
    expect(clopperPearsonUpper(0, 300)).toBeLessThan(0.01);
    expect(clopperPearsonUpper(0, 299)).toBeGreaterThan(clopperPearsonUpper(0, 300));
  });

  it('k = n and n = 0 know nothing better than 1', () => {
    expect(clopperPearsonUpper(20, 20)).toBe(1);
    expect(clopperPearsonUpper(0, 0)).toBe(1);
  });

  it("matches the beta quantile (one-sided 95%), as scipy's beta.ppf(0.95, k+1, n-k) gives it", () => {
    expect(clopperPearsonUpper(1, 10)).toBeCloseTo(0.394163302436, 9);
    expect(clopperPearsonUpper(3, 50)).toBeCloseTo(0.147837176364, 9);
    expect(binomialCdf(3, 50, clopperPearsonUpper(3, 50))).toBeCloseTo(0.05, 6);
  });
});

describe('clopperPearsonLower: what a bug switch run proves', () => {
  it('n of n has the closed form alpha^(1/n): 100 of 100 caught is a detection rate above 97.0%', () => {
    expect(clopperPearsonLower(100, 100)).toBeCloseTo(0.05 ** (1 / 100), 10);
    expect(describeRuns({ bugs: ['no-guardian,no-sweep'], failureRate: { failed: 100, runs: 100, upperBound95: 1 } })).toBe(
      '100 of 100 caught (detection rate above 97.0% at 95%)',
    );
  });

  it('is the upper bound mirrored (k of n caught = n - k of n missed), and 0 when nothing was caught', () => {
    expect(clopperPearsonLower(7, 20)).toBeCloseTo(1 - clopperPearsonUpper(13, 20), 12);
    expect(clopperPearsonLower(0, 20)).toBe(0);
  });

  it('a run without a bug switch still says its failure rate', () => {
    expect(describeRuns({ bugs: [], failureRate: { failed: 0, runs: 300, upperBound95: clopperPearsonUpper(0, 300) } })).toBe(
      '0 of 300 failed (failure rate below 1.0% at 95%)',
    );
  });
});

describe('the verdict word and the figures', () => {
  it('pass, flaky, fail', () => {
    expect(repeatedVerdict(0, 50)).toBe('pass');
    expect(repeatedVerdict(1, 50)).toBe('flaky');
    expect(repeatedVerdict(50, 50)).toBe('fail');
    expect(repeatedVerdict(1, 1)).toBe('fail');
  });

  it('says the bound in words', () => {
    expect(describeFailureRate(0, 300, clopperPearsonUpper(0, 300))).toBe('0 of 300 failed (failure rate below 1.0% at 95%)');
    expect(describeFailureRate(20, 20, 1)).toBe('20 of 20 failed (failure rate at most 100.0% at 95%)');
  });

  it('p50, p95 and max are measured values (nearest rank)', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(metricStats(xs)).toEqual({ p50: 50, p95: 95, max: 100, n: 100 });
    expect(quantile([7], 0.95)).toBe(7);
    expect(metricStats([3, 1, 2])).toEqual({ p50: 2, p95: 3, max: 3, n: 3 });
  });
});
