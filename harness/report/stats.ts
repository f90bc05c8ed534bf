// The statistics a repeated run is judged by: k failures of N, the exact (Clopper-Pearson) upper
// bound on the failure rate, the verdict word, and p50/p95/max of each metric.
import type { MetricStats } from './summary.ts';

// ln(n!) by summing logs: exact enough for the n of a nightly (thousands), and no gamma function.
const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials[i] = logFactorials[i - 1]! + Math.log(i);
  return logFactorials[n]!;
}

// P(X <= k) for X ~ Binomial(n, p).
export function binomialCdf(k: number, n: number, p: number): number {
  if (k >= n || p <= 0) return 1;
  if (p >= 1) return 0;
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += Math.exp(logFactorial(n) - logFactorial(i) - logFactorial(n - i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  }
  return Math.min(1, sum);
}

// One-sided exact upper bound: the largest failure rate p still consistent with seeing only k
// failures in n runs, P(X <= k | p) = 1 - confidence. 0 of 300 at 95%: 0.00994. n = 0: nothing known, 1.
export function clopperPearsonUpper(k: number, n: number, confidence = 0.95): number {
  if (n <= 0 || k >= n) return 1;
  const alpha = 1 - confidence;
  let [lo, hi] = [k / n, 1];
  for (let i = 0; i < 100 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (binomialCdf(k, n, mid) > alpha) lo = mid;
    else hi = mid;
  }
  return hi;
}

// One-sided exact lower bound: the smallest rate p still consistent with seeing k of n (a bug
// switch caught 100 times of 100 proves a detection rate above 97.0% at 95%).
export const clopperPearsonLower = (k: number, n: number, confidence = 0.95): number =>
  n <= 0 || k <= 0 ? 0 : 1 - clopperPearsonUpper(n - k, n, confidence);

// pass: none failed; flaky: some did; fail: every one did.
export function repeatedVerdict(failed: number, runs: number): 'pass' | 'flaky' | 'fail' {
  return failed === 0 ? 'pass' : failed >= runs ? 'fail' : 'flaky';
}

// Nearest-rank quantile: a value that was measured, never an interpolation between two.
export const quantile = (xs: number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
};

export function metricStats(samples: number[]): MetricStats {
  return { p50: quantile(samples, 0.5), p95: quantile(samples, 0.95), max: Math.max(...samples), n: samples.length };
}

// A run under a bug switch proves how often the bug is caught: "100 of 100 caught (detection rate
// above 97.0% at 95%)". Any other run, how rarely it fails.
export function describeRuns(s: { bugs: string[]; failureRate: { failed: number; runs: number; upperBound95: number } }): string {
  const { failed, runs, upperBound95 } = s.failureRate;
  if (!s.bugs.length) return describeFailureRate(failed, runs, upperBound95);
  return `${failed} of ${runs} caught (detection rate above ${(clopperPearsonLower(failed, runs) * 100).toFixed(1)}% at 95%)`;
}

// "0 of 300 failed (failure rate below 1.0% at 95%)"; "3 of 50 failed (failure rate at most 16.2% at 95%)".
export function describeFailureRate(failed: number, runs: number, upper: number): string {
  const pct = `${(upper * 100).toFixed(1)}%`;
  return `${failed} of ${runs} failed (failure rate ${failed === 0 ? 'below' : 'at most'} ${pct} at 95%)`;
}
