// Runs one scenario in this process: starts one rig for all repetitions, loads the target, runs
// the body once per repetition, tears everything down in reverse order whatever happened, and
// writes summary.json and the Allure result. A stop (Ctrl+C, SIGTERM, the backstop deadline) ends
// the current repetition as fast as its teardown allows and keeps the repetitions that finished.
import { reaper } from '../cleanup/reaper.ts';
import { isHiltError } from '../errors.ts';
import { AllureResult } from '../report/allure-result.ts';
import type { RepetitionResult, Summary } from '../report/summary.ts';
import type { Rig } from '../rig/rig.ts';
import { outputName, startRig } from '../rig/start.ts';
import { loadTargetSpec } from '../target/config.ts';
import { requireBuilt } from '../target/launch.ts';
import { ensurePrefix, WINE_PREFIX } from '../target/wine.ts';
import { now } from '../wait.ts';
import { takeHangs } from '../watchdog/hangs.ts';
import type { ScenarioDefinition } from './define.ts';
import { Params, resolveParams, type ScenarioManifest } from './manifest.ts';
import type { ScenarioOptions } from './options.ts';
import { repetitionSeed } from './random.ts';
import { progress, ScenarioRun, type StopReason } from './run.ts';

export interface RunControl {
  allureDir: string;
  stop: AbortSignal; // its reason is a StopReason
}

type Step = () => Promise<unknown> | unknown;

// Settles when the body does, or throws the stop reason when the run is stopped first.
class Stopped extends Error {
  constructor(readonly reason: StopReason) {
    super(`stopped: ${reason}`);
  }
}
function untilStopped<T>(p: Promise<T>, stop: AbortSignal): Promise<T> {
  p.catch(() => {}); // the body goes on after a stop until its teardown ends it; its errors are moot
  if (stop.aborted) return Promise.reject(new Stopped(stop.reason as StopReason));
  return new Promise<T>((resolve, reject) => {
    const onStop = () => reject(new Stopped(stop.reason as StopReason));
    stop.addEventListener('abort', onStop, { once: true });
    p.then(resolve, reject).finally(() => stop.removeEventListener('abort', onStop));
  });
}

export async function executeScenario(def: ScenarioDefinition, options: ScenarioOptions, control: RunControl): Promise<Summary> {
  const { entry, body } = def;
  const { name } = entry;
  const allure = labelled(new AllureResult(control.allureDir, name, `hilt:${entry.file}#${name}`, entry.description), entry, options);
  const params = new Params(name, resolveParams(entry, options.set));
  const t0 = now();
  // An error nobody awaited is hilt's own defect: said, never a silent crash that loses the summary.
  const unhandled: string[] = [];
  const onUnhandled = (e: unknown) => {
    unhandled.push(String((e as Error)?.stack ?? e));
    progress(`internal error nobody awaited (kept in the summary's facts): ${(e as Error)?.message ?? e}`);
  };
  process.on('unhandledRejection', onUnhandled);
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
    run.planned = reps.length;
    for (const rep of reps) {
      if (control.stop.aborted) break;
      const seed = repetitionSeed(options.seed, rep);
      run.beginRepetition(rep, seed);
      const teardown: Step[] = [];
      let stopped: StopReason | undefined;
      try {
        await untilStopped(
          body({ run, rig, target, options, params, repetition: rep, seed, defer: (fn) => teardown.push(fn) }),
          control.stop,
        );
      } catch (e) {
        if (e instanceof Stopped) stopped = e.reason;
        // A rig part the body found missing (pipewire-jack, python3-tk, the probe's build) is
        // `unavailable`, said as such; any other broken step is a failed check with its message.
        else if (!run.markUnavailable(e)) run.check(completed(e));
      } finally {
        await tearDown(run, teardown);
      }
      if (stopped === 'backstop') {
        const at = `${backstopMs(options) / 1000} s`;
        run.check(
          completed(new Error(`run ${rep} was still going at the backstop deadline (${at}): a wait in hilt has no deadline of its own`)),
        );
      } else if (stopped) {
        run.abandonRepetition(stopped);
        takeHangs(); // the abandoned run's own: nothing of it is judged, nor shown in Allure
        run.steps.take();
        progress(
          `run ${rep}/${reps.length} stopped (${stopped}): its targets are ended; ${run.repetitions.length} run(s) finished are kept`,
        );
        break;
      }
      await run.recordHangs(takeHangs());
      const r = run.endRepetition();
      if (stopped) run.stopped = stopped;
      progress(repetitionLine(r, reps.length, options.repeat));
      const full = r.repetition === 1 || r.verdict === 'fail';
      const title = `run ${r.repetition} of ${options.repeat} (seed ${r.seed})`;
      if (full) allure.step(title, run.steps.take(), r.verdict === 'fail' ? (r.diagnosis ?? 'a check failed') : undefined);
      else (run.steps.take(), allure.line(`${title}: pass, ${(r.durationMs / 1000).toFixed(1)} s`));
      if (run.unavailable) break;
    }
    if (control.stop.aborted) run.stopped ??= control.stop.reason as StopReason;
  } catch (e) {
    run ??= new ScenarioRun(options, options.target, t0);
    if (!run.markUnavailable(e)) {
      run.check({ ...completed(e), id: 'setup', name: 'rig and target set up' });
      run.diagnosis = isHiltError(e) ? `${e.code}: ${e.message}` : String(e);
    }
  } finally {
    const stopRig = rig ? [() => rig!.stop()] : [];
    if (run) await tearDown(run, stopRig);
    else await rig?.stop();
    reaper.close();
    process.off('unhandledRejection', onUnhandled);
  }
  for (const note of rig?.notes ?? []) run.fact('rig', note);
  for (const u of unhandled) run.fact('unhandled error', u.split('\n')[0]!);
  await run.recordHangs(takeHangs());
  allure.add(run.steps.take()); // what happened outside the repetitions: set-up, the rig's teardown
  const summary = run.finish();
  allure.attach('summary.json', Buffer.from(JSON.stringify(summary, null, 2)), 'application/json', 'json');
  if (summary.verdict === 'unavailable') allure.write('skipped', `unavailable: ${summary.diagnosis}`);
  else if (summary.verdict === 'pass') allure.write('passed');
  else allure.write('failed', `${name} ${summary.verdict}: ${summary.diagnosis}`);
  return summary;
}

const completed = (e: unknown) => ({
  id: 'scenario-completed',
  name: 'scenario completed',
  verdict: 'fail' as const,
  measured: null,
  limit: null,
  unit: '',
  message: (e as Error).message ?? String(e),
});

// Allure's labels: epic the postmortem, feature the scenario, story the bug switch, parentSuite
// where it ran. The seed is a parameter excluded from the history id, so runs share a history.
function labelled(a: AllureResult, entry: ScenarioManifest, options: ScenarioOptions): AllureResult {
  a.label('epic', entry.postmortem);
  a.label('feature', entry.name);
  a.label('story', options.bugs.length ? `bug switch ${options.bugs.join(',')}` : 'no bug switch');
  a.label('parentSuite', `${process.platform} / ${options.rig} rig`);
  a.label('suite', entry.name);
  a.label('severity', options.bugs.length ? 'normal' : 'critical');
  a.label('framework', 'hilt');
  a.parameter('bugs', options.bugs.join(',') || 'none');
  a.parameter('seed', String(options.seed), true);
  a.parameter('repetitions', String(options.repeat), true);
  return a;
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
export async function tearDown(run: ScenarioRun, steps: Step[]): Promise<void> {
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

// A scenario's body must not hang the CLI: hilt's own deadlines end a hung phase, and this one,
// growing with --repeat, ends the run itself if they did not.
export const backstopMs = (o: ScenarioOptions): number => 600_000 + (o.onlyRepetition ? 1 : o.repeat) * 120_000;
