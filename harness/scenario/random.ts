// Seeded randomness for scenarios: the seed is printed with every run, so a failing order of
// faults can be replayed exactly with --seed.

// mulberry32: small, fast, and the same sequence on every platform for a given 32-bit seed.
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// n items drawn so that every item appears (n >= items.length), in a seeded order.
export function coveringSequence<T>(items: readonly T[], n: number, seed: number): T[] {
  const rnd = seededRandom(seed);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(i < items.length ? items[i]! : items[Math.floor(rnd() * items.length)]!);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// Repetition K's own seed, derived from the run's: repetition 1 uses the run's seed itself, so a
// single run replays with --seed S alone; `--seed S --only-repetition K` replays repetition K.
export function repetitionSeed(runSeed: number, repetition: number): number {
  if (repetition <= 1) return runSeed >>> 0;
  return Math.floor(seededRandom((runSeed ^ Math.imul(repetition, 0x9e3779b1)) >>> 0)() * 4294967296) >>> 0;
}
