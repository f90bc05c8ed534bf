// One scenario run: phases with deadlines and timings (each an Allure step), checks, metrics and
// evidence, and at the end summary.json. Playwright-style: each phase has its own timeout and
// message; whatever fails, the result is still written.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';
import { join, resolve } from 'node:path';
import type { CheckResult } from '../check/check.ts';
import { isHiltError } from '../errors.ts';
import { clopperPearsonLower, clopperPearsonUpper, metricStats } from '../report/stats.ts';
import {
  overallVerdict,
  SUMMARY_SCHEMA_VERSION,
  writeSummary,
  type EvidenceRef,
  type PlatformInfo,
  type RepetitionResult,
  type Summary,
} from '../report/summary.ts';
import { hiltVersion } from '../version.ts';
import { StepRecorder } from './steps.ts';
import { now, withDeadline } from '../wait.ts';
import type { Hang } from '../watchdog/watchdog.ts';
import type { ScenarioOptions } from './options.ts';

const CONTENT_TYPES: Record<EvidenceRef['kind'], string> = {
  wav: 'audio/wav',
  svg: 'image/svg+xml',
  log: 'text/plain',
  json: 'application/json',
  text: 'text/plain',
};

// What a run says while it goes on, on stderr: one line per repetition always, and, on a
// terminal, what a long phase is waiting for.
export const progress = (line: string): void => void process.stderr.write(`hilt: ${line}\n`);
const waiting = (line: string): void => {
  if (process.stderr.isTTY) progress(line);
};

// Why a run ended before its planned repetitions: a signal to hilt, or the backstop deadline.
export type StopReason = 'SIGINT' | 'SIGTERM' | 'backstop';

export class ScenarioRun {
  readonly checks: CheckResult[] = [];
  readonly metrics: Record<string, number> = {};
  readonly facts: Record<string, string> = {};
  readonly phases: Summary['phases'] = [];
  readonly evidence: EvidenceRef[] = [];
  readonly repetitions: RepetitionResult[] = [];
  readonly outDir: string;
  private readonly samples: Record<string, number[]> = {};
  private repStart = {
    at: 0,
    checks: 0,
    phases: 0,
    evidence: 0,
    metrics: {} as Record<string, number>,
    samples: {} as Record<string, number>,
  };
  planned = 1; // repetitions this call meant to run
  private wholeRunSaid: string | undefined;
  stopped: StopReason | undefined;
  readonly steps = new StepRecorder(); // what Allure gets of each repetition (steps.ts)
  // Each phase's start and end (performance.now()) in the current repetition, for its picture.
  spans: { from: number; to: number; label: string }[] = [];
  events: { at: number; label: string }[] = []; // what happened at an instant (a tap moved the victim)
  repetition = 1;
  seed: number; // the current repetition's seed (repetitionSeed)
  platform: PlatformInfo;
  failures = 0;
  diagnosis = '';
  unavailable: string | undefined;
  private readonly startedAt: string;

  constructor(
    readonly options: ScenarioOptions,
    readonly targetName: string,
    private readonly t0 = now(), // when the run began, rig start included
  ) {
    this.startedAt = new Date(Date.now() - (now() - t0)).toISOString();
    this.seed = options.seed;
    this.platform = { os: process.platform, kernel: release(), arch: process.arch, cpus: availableParallelism() };
    this.outDir = resolve(options.out);
    mkdirSync(this.outDir, { recursive: true });
  }

  // A named phase with its own deadline; its duration is kept for the report and the bench.
  async phase<T>(name: string, deadlineMs: number, fn: () => Promise<T>): Promise<T> {
    const t = now();
    // A long wait says what it waits for, every 2 s (the CLI shows these on a terminal only).
    const ticker = setInterval(
      () => waiting(`waiting for ${name}: ${((now() - t) / 1000).toFixed(0)} s of at most ${deadlineMs / 1000} s`),
      2000,
    );
    ticker.unref();
    try {
      return await this.steps.phase(name, () => withDeadline(fn(), deadlineMs, `phase "${name}"`));
    } finally {
      clearInterval(ticker);
      this.spans.push({ from: t, to: now(), label: name });
      this.phases.push({ name, ms: Math.round((now() - t) * 10) / 10, repetition: this.repetition });
    }
  }

  // Something seen at an instant, for the repetition's picture.
  event(label: string, at = now()): void {
    this.events.push({ at, label });
  }

  // A check is also an Allure step of its repetition, failed when the check failed.
  check(c: CheckResult): CheckResult {
    // After a stop, the abandoned repetition's body may still be unwinding: only teardown counts.
    if (this.stopped && c.id !== 'teardown' && c.id !== 'no-hang') return c;
    this.checks.push({ ...c, name: this.options.repeat > 1 ? `${c.name} [run ${this.repetition}]` : c.name });
    const figures = c.limit === null ? '' : ` (${c.measured ?? '-'} vs ${c.limit} ${c.unit})`.replace(/ \)$/, ')');
    this.steps.check(`check: ${c.name}${figures}`, c.verdict === 'pass' ? undefined : c.message);
    return c;
  }

  // Keeps the worst value over repetitions (a gate must see the slowest resume, not the luckiest)
  // and every sample, for p50 and p95.
  metric(name: string, value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value) || this.stopped) return;
    const v = Math.round(value * 10) / 10;
    this.metrics[name] = Math.max(this.metrics[name] ?? v, v);
    (this.samples[name] ??= []).push(v);
  }

  beginRepetition(repetition: number, seed: number): void {
    this.repetition = repetition;
    this.seed = seed;
    this.diagnosis = '';
    this.spans = [];
    this.events = [];
    this.repStart = {
      at: now(),
      checks: this.checks.length,
      phases: this.phases.length,
      evidence: this.evidence.length,
      metrics: { ...this.metrics },
      samples: Object.fromEntries(Object.entries(this.samples).map(([k, xs]) => [k, xs.length])),
    };
  }

  // The repetition's verdict from the checks it added; its diagnosis, or its failed checks.
  endRepetition(): RepetitionResult {
    const failed = this.checks.slice(this.repStart.checks).filter((c) => c.verdict !== 'pass');
    const r: RepetitionResult = {
      repetition: this.repetition,
      seed: this.seed,
      verdict: failed.length ? 'fail' : 'pass',
      durationMs: Math.round(now() - this.repStart.at),
      failedChecks: [...new Set(failed.map((c) => c.id))],
      ...(failed.length && { diagnosis: this.diagnosis || failed.map((c) => `${c.name}: ${c.message}`).join('; ') }),
    };
    if (failed.length) this.failures++;
    this.repetitions.push(r);
    return r;
  }

  // A stop in the middle of a repetition: what it had found so far is dropped (it proved nothing
  // either way), and nothing its body still does is recorded.
  abandonRepetition(reason: StopReason): void {
    const m = this.repStart;
    this.stopped = reason;
    this.checks.splice(m.checks);
    this.phases.splice(m.phases);
    this.evidence.splice(m.evidence);
    for (const k of Object.keys(this.metrics)) if (!(k in m.metrics)) delete this.metrics[k];
    Object.assign(this.metrics, m.metrics);
    for (const [k, xs] of Object.entries(this.samples)) xs.splice(m.samples[k] ?? 0);
    this.diagnosis = '';
  }

  // A diagnosis that tallies every repetition so far ("2 of 5 runs crashed. ..."): it becomes the
  // run's own diagnosis, in place of "k of N runs failed; the first ...".
  diagnoseWholeRun(text: string): void {
    this.diagnosis = text;
    this.wholeRunSaid = text;
  }

  // A count summed over repetitions ("k of N runs crashed"), where metric() keeps the worst.
  tally(name: string, n: number): number {
    this.metrics[name] = (this.metrics[name] ?? 0) + n;
    return this.metrics[name]!;
  }

  // A fact in words; repetitions that saw different values keep them all ("guardian | sweep").
  fact(name: string, value: string): void {
    const seen = this.facts[name]?.split(' | ') ?? [];
    if (!seen.includes(value)) this.facts[name] = [...seen, value].join(' | ');
  }

  async attach(name: string, kind: EvidenceRef['kind'], content: string | Buffer): Promise<void> {
    const ext = kind === 'text' ? 'txt' : kind;
    const file = `${name}${this.options.repeat > 1 ? `.run${this.repetition}` : ''}.${ext}`;
    writeFileSync(join(this.outDir, file), content);
    this.evidence.push({ name, kind, path: file });
    this.steps.attach({
      file,
      content: typeof content === 'string' ? Buffer.from(content) : content,
      contentType: CONTENT_TYPES[kind],
      ext,
    });
  }

  // Hangs the watchdog caught (a target, a teardown, one of hilt's own tools): each is a failed
  // check with its stacks attached; the diagnosis says "hang" unless the scenario said more.
  async recordHangs(hangs: Hang[]): Promise<void> {
    for (const h of hangs) {
      const slug = h.what
        .replace(/[^a-z0-9]+/gi, '-')
        .replace(/^-|-$/g, '')
        .toLowerCase()
        .slice(0, 60);
      await this.attach(`stacks-${slug}`, 'text', `${h.summary}\n\n${h.stacks.text}`);
      this.metric('soft_deadline_to_stacks_ms', h.stacksMs);
      this.check({
        id: 'no-hang',
        subject: h.what,
        name: `no hang: ${h.what}`,
        verdict: 'fail',
        measured: 'hung',
        limit: h.softMs,
        unit: 'ms',
        message: h.summary,
      });
      if (!this.diagnosis) this.diagnosis = `hang: ${h.summary}`;
    }
  }

  // A rig part is missing: the verdict is `unavailable`, with the message saying what and how.
  markUnavailable(e: unknown): boolean {
    // RIG_BUSY: another hilt run held the device past the wait deadline; nothing was judged.
    const codes = ['RIG_MISSING', 'RIG_BUSY', 'ENGINE_NOT_BUILT', 'TARGET_MISSING'] as const;
    if (isHiltError(e) && codes.some((c) => e.code === c)) {
      this.unavailable = e.message;
      return true;
    }
    return false;
  }

  summary(): Summary {
    const runs = this.repetitions.length;
    const verdict = overallVerdict(this.checks, this.unavailable !== undefined, this.failures, runs);
    const firstFailed = this.repetitions.find((r) => r.verdict === 'fail');
    const said = firstFailed?.diagnosis ?? (this.diagnosis || this.failedChecks());
    // A scenario that tallies its runs itself ("2 of 5 runs crashed. ...") speaks for the whole run.
    const wholeRun = runs > 1 ? this.wholeRunSaid : undefined;
    const judged =
      this.unavailable ??
      wholeRun ??
      (verdict === 'pass'
        ? 'all checks passed'
        : runs > 1 && firstFailed
          ? `${this.failures} of ${runs} runs failed; the first, run ${firstFailed.repetition} ` +
            `(replay: --seed ${this.options.seed} --only-repetition ${firstFailed.repetition}): ${said}`
          : said);
    const signal = this.stopped === 'SIGINT' || this.stopped === 'SIGTERM' ? this.stopped : undefined;
    const diagnosis = signal
      ? `interrupted by ${signal} after ${runs} of ${this.planned} run(s)` + (runs ? `; of those: ${judged}` : ': nothing was judged')
      : judged;
    return {
      schemaVersion: SUMMARY_SCHEMA_VERSION,
      hiltVersion: hiltVersion(),
      platform: this.platform,
      scenario: this.options.scenario,
      target: this.targetName,
      rig: this.options.rig,
      seed: this.options.seed,
      bugs: this.options.bugs,
      verdict,
      diagnosis,
      checks: this.checks,
      metrics: this.metrics,
      metricStats: Object.fromEntries(Object.entries(this.samples).map(([k, xs]) => [k, metricStats(xs)])),
      facts: this.facts,
      phases: this.phases,
      evidence: this.evidence,
      runs,
      failures: this.failures,
      failureRate: { failed: this.failures, runs, upperBound95: clopperPearsonUpper(this.failures, runs) },
      ...(this.options.bugs.length && {
        detectionRate: { caught: this.failures, runs, lowerBound95: clopperPearsonLower(this.failures, runs) },
      }),
      repetitions: this.repetitions,
      ...(signal && { interrupted: { signal, finished: runs, planned: this.planned } }),
      startedAt: this.startedAt,
      durationMs: Math.round(now() - this.t0),
    };
  }

  failedChecks(): string {
    return this.checks
      .filter((c) => c.verdict !== 'pass')
      .map((c) => `${c.name}: ${c.message}`)
      .join('; ');
  }

  finish(): Summary {
    const s = this.summary();
    writeSummary(this.outDir, s);
    return s;
  }
}
