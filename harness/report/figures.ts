// How the bench prints a series: p50, p99 and max with n, in milliseconds.
import { quantile } from './stats.ts';

export { quantile };
export const ms = (x: number): string => `${x.toFixed(1)} ms`;
export const stats = (xs: number[]): string => `p50 ${ms(quantile(xs, 0.5))}  max ${ms(Math.max(...xs))}  (n=${xs.length})`;
export const stats99 = (xs: number[]): string =>
  `p50 ${ms(quantile(xs, 0.5))}  p99 ${ms(quantile(xs, 0.99))}  max ${ms(Math.max(...xs))}  (n=${xs.length})`;
export const say = (s: string): void => void process.stdout.write(s + '\n');
