// One scenario run: phases with deadlines and timings (each an Allure step), checks, metrics and
// evidence, and at the end summary.json. Playwright-style: each phase has its own timeout and
// message; whatever fails, the result is still written.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as allure from 'allure-js-commons';
import type { CheckResult } from '../check/check.ts';
import { isHiltError } from '../errors.ts';
import { overallVerdict, writeSummary, type EvidenceRef, type Summary } from '../report/summary.ts';
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

export class ScenarioRun {
  readonly checks: CheckResult[] = [];
  readonly metrics: Record<string, number> = {};
  readonly facts: Record<string, string> = {};
  readonly phases: Summary['phases'] = [];
  readonly evidence: EvidenceRef[] = [];
  readonly outDir: string;
  repetition = 1;
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
    this.outDir = resolve(options.out);
    mkdirSync(this.outDir, { recursive: true });
  }

  // A named phase with its own deadline; its duration is kept for the report and the bench.
  async phase<T>(name: string, deadlineMs: number, fn: () => Promise<T>): Promise<T> {
    const t = now();
    try {
      return await allure.step(name, () => withDeadline(fn(), deadlineMs, `phase "${name}"`));
    } finally {
      this.phases.push({ name, ms: Math.round((now() - t) * 10) / 10, repetition: this.repetition });
    }
  }

  check(c: CheckResult): CheckResult {
    this.checks.push({ ...c, name: this.options.repeat > 1 ? `${c.name} [run ${this.repetition}]` : c.name });
    return c;
  }

  // Keeps the worst value over repetitions: a gate must see the slowest resume, not the luckiest.
  metric(name: string, value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value)) return;
    const v = Math.round(value * 10) / 10;
    this.metrics[name] = Math.max(this.metrics[name] ?? v, v);
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
    await allure.attachment(file, typeof content === 'string' ? Buffer.from(content) : content, CONTENT_TYPES[kind]);
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
    if (isHiltError(e, 'RIG_MISSING') || isHiltError(e, 'ENGINE_NOT_BUILT') || isHiltError(e, 'TARGET_MISSING')) {
      this.unavailable = e.message;
      return true;
    }
    return false;
  }

  summary(): Summary {
    const verdict = overallVerdict(this.checks, this.unavailable !== undefined);
    return {
      scenario: this.options.scenario,
      target: this.targetName,
      rig: this.options.rig,
      seed: this.options.seed,
      bugs: this.options.bugs,
      verdict,
      diagnosis: this.unavailable ?? (verdict === 'pass' ? 'all checks passed' : this.diagnosis || this.failedChecks()),
      checks: this.checks,
      metrics: this.metrics,
      facts: this.facts,
      phases: this.phases,
      evidence: this.evidence,
      runs: this.repetition,
      failures: this.failures,
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
