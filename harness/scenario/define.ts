// defineScenario: the frame every scenario shares. It reads the CLI's options, starts one rig for
// all repetitions, loads the target, runs the body once per repetition, tears everything down in
// reverse order whatever happened, writes summary.json, and makes the vitest test fail or skip
// to match the verdict (so JUnit and Allure agree with summary.json).
import { test } from 'vitest';
import * as allure from 'allure-js-commons';
import { Status } from 'allure-js-commons';
import { reaper } from '../cleanup/reaper.ts';
import { HiltError, isHiltError } from '../errors.ts';
import type { Rig } from '../rig/rig.ts';
import { outputName, startRig } from '../rig/start.ts';
import { takeHangs } from '../watchdog/hangs.ts';
import { requireBuilt } from '../target/launch.ts';
import { DEFAULT_TARGET, loadTargetSpec, type TargetSpec } from '../target/config.ts';
import { ensurePrefix, WINE_PREFIX } from '../target/wine.ts';
import { now } from '../wait.ts';
import { Params, resolveParams, type ScenarioManifest } from './manifest.ts';
import { scenarioOptions, type ScenarioOptions } from './options.ts';
import { repetitionSeed } from './random.ts';
import { progress, ScenarioRun } from './run.ts';
import { CheckFailed } from './steps.ts';
import type { RepetitionResult } from '../report/summary.ts';

export interface ScenarioContext {
  run: ScenarioRun;
  rig: Rig;
  target: TargetSpec;
  options: ScenarioOptions;
  params: Params; // the --set values, checked against the manifest, defaults filled in
  repetition: number;
  seed: number; // this repetition's seed (repetitionSeed): what its random choices come from
  // Teardown registered by the body; runs in reverse order even when the body throws.
  defer(fn: () => Promise<unknown> | unknown): void;
}

export function defineScenario(entry: ScenarioManifest, body: (ctx: ScenarioContext) => Promise<void>): void {
  const { name, description } = entry;
  // A vitest fork whose parent (the hilt CLI) died must not linger: the reaper then cleans up.
  process.once('disconnect', () => process.exit(70));

  // hilt's own deadlines end a hung phase; vitest's test timeout is only a backstop, so it grows
  // with --repeat (10 minutes killed a --repeat 300 at run 267, without a summary).
  const planned = scenarioOptions({ scenario: name, target: DEFAULT_TARGET });
  const timeout = 600_000 + (planned.onlyRepetition ? 1 : planned.repeat) * 120_000;
  test(name, { timeout }, async (vt) => {
    const options = planned;
    const params = new Params(name, resolveParams(entry, options.set));
    await allure.description(description);
    await labelRun(entry, options);
    const t0 = now();
    let run: ScenarioRun | undefined;
    let rig: Rig | undefined;
    try {
      const target = loadTargetSpec(options.target, { output: outputName(options) });
      requireBuilt(target); // before the rig: a missing build is `unavailable`, said at once
      const underWine = target.wine && process.platform !== 'win32';
      const prefix = underWine ? await ensurePrefix(WINE_PREFIX, progress) : undefined; // once: about 6 s
      rig = await startRig(options, { purpose: `hilt scenario ${name}`, onWait: progress });
      run = new ScenarioRun(options, target.name, t0);
      run.metric('rig_ready_ms', rig.timings.readyMs);
      run.metric('rig_health_ms', rig.timings.healthMs);
      run.metric('wine_prefix_made_ms', prefix?.madeMs);
      run.metric('rig_lock_wait_ms', rig.timings.lockWaitMs);
      run.platform.audioServer = await rig.serverInfo().catch(() => undefined);
      const reps = options.onlyRepetition ? [options.onlyRepetition] : Array.from({ length: options.repeat }, (_, i) => i + 1);
      for (const rep of reps) {
        const seed = repetitionSeed(options.seed, rep);
        run.beginRepetition(rep, seed);
        const teardown: (() => Promise<unknown> | unknown)[] = [];
        try {
          await body({ run, rig, target, options, params, repetition: rep, seed, defer: (fn) => teardown.push(fn) });
        } catch (e) {
          // A rig part the body found missing (pipewire-jack, python3-tk, the probe's build) is
          // `unavailable`, said as such; any other broken step is a failed check with its message.
          if (!run.markUnavailable(e)) {
            run.check({
              id: 'scenario-completed',
              name: 'scenario completed',
              verdict: 'fail',
              measured: null,
              limit: null,
              unit: '',
              message: (e as Error).message,
            });
          }
        } finally {
          await tearDown(run, teardown);
        }
        await run.recordHangs(takeHangs());
        const r = run.endRepetition();
        progress(repetitionLine(r, reps.length, options.repeat));
        await toAllure(run, r, options.repeat);
        if (run.unavailable) break;
      }
    } catch (e) {
      run ??= new ScenarioRun(options, options.target, t0);
      if (!run.markUnavailable(e)) {
        run.check({
          id: 'setup',
          name: 'rig and target set up',
          verdict: 'fail',
          measured: null,
          limit: null,
          unit: '',
          message: (e as Error).message,
        });
        run.diagnosis = isHiltError(e) ? `${e.code}: ${e.message}` : String(e);
      }
    } finally {
      const stopRig = rig ? [() => rig!.stop()] : [];
      if (run) await tearDown(run, stopRig);
      else await rig?.stop();
      reaper.close();
    }
    for (const note of rig?.notes ?? []) run.fact('rig', note);
    await run?.recordHangs(takeHangs());
    await run.steps.flush(true); // what happened outside the repetitions: set-up, the rig's teardown
    const summary = run.finish();
    await allure.attachment('summary.json', Buffer.from(JSON.stringify(summary, null, 2)), {
      contentType: 'application/json',
      fileExtension: 'json',
    });
    if (summary.verdict === 'unavailable') vt.skip(`unavailable: ${summary.diagnosis}`);
    if (summary.verdict === 'fail' || summary.verdict === 'flaky')
      throw new CheckFailed(`${name} ${summary.verdict}: ${summary.diagnosis}`);
  });
}

// One Allure step per repetition, failed when a check failed: its phases, checks and evidence in
// full for the first and every failed one, one line for a later one that passed (steps.ts says why).
async function toAllure(run: ScenarioRun, r: RepetitionResult, repeat: number): Promise<void> {
  const title = `run ${r.repetition} of ${repeat} (seed ${r.seed})`;
  const full = r.repetition === 1 || r.verdict === 'fail';
  if (!full) {
    await run.steps.flush(false);
    return void (await allure.logStep(`${title}: pass, ${(r.durationMs / 1000).toFixed(1)} s`, Status.PASSED));
  }
  await allure
    .step(title, async () => {
      await run.steps.flush(true);
      if (r.verdict === 'fail') throw new CheckFailed(r.diagnosis ?? 'a check failed');
    })
    .then(undefined, (e: unknown) => {
      if (!(e instanceof CheckFailed)) throw e;
    });
}

// Allure's labels: epic the postmortem, feature the scenario, story the bug switch, parentSuite
// where it ran. The seed is a parameter excluded from the history id, so runs share a history.
async function labelRun(entry: ScenarioManifest, options: ScenarioOptions): Promise<void> {
  await allure.epic(entry.postmortem);
  await allure.feature(entry.name);
  await allure.story(options.bugs.length ? `bug switch ${options.bugs.join(',')}` : 'no bug switch');
  await allure.parentSuite(`${process.platform} / ${options.rig} rig`);
  await allure.suite(entry.name);
  await allure.severity(options.bugs.length ? 'normal' : 'critical');
  await allure.parameter('bugs', options.bugs.join(',') || 'none');
  await allure.parameter('seed', String(options.seed), { excluded: true });
  await allure.parameter('repetitions', String(options.repeat), { excluded: true });
}

// "run 7/50 pass 1.1 s"; "run 8/50 FAIL (seed 123): orphan pulse-sink ...".
export function repetitionLine(r: RepetitionResult, count: number, repeat: number): string {
  const head = `run ${r.repetition}/${Math.max(count, repeat)}`;
  const secs = `${(r.durationMs / 1000).toFixed(1)} s`;
  if (r.verdict === 'pass') return `${head} pass ${secs}`;
  const said = (r.diagnosis ?? '').replace(/\s+/g, ' ');
  return `${head} FAIL ${secs} (seed ${r.seed}): ${said.length > 300 ? said.slice(0, 297) + '...' : said}`;
}

// Teardown in reverse order of set-up, every step run whatever failed before it (Playwright's
// fixtures); the first error is kept as a failed check, the rest are counted in its message.
export async function tearDown(run: ScenarioRun, steps: (() => Promise<unknown> | unknown)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const fn of [...steps].reverse()) {
    try {
      await fn();
    } catch (e) {
      errors.push(e);
    }
  }
  if (!errors.length) return;
  const first = errors[0] instanceof Error ? errors[0].message : String(errors[0]);
  run.check({
    id: 'teardown',
    name: 'teardown completed',
    verdict: 'fail',
    measured: errors.length,
    limit: 0,
    unit: 'errors',
    message: `${errors.length} teardown step(s) failed; the first: ${first}`,
  });
}
