// One `pnpm scenario` call that runs: every scenario of it planned (everything a user can get
// wrong checked against the manifest, before a rig starts), then each run in this process, then
// the results of the call: summary.json per scenario, one summary.md, junit.xml and allure-results.
import { accessSync, appendFileSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HiltError } from '../errors.ts';
import { writeAllureFiles } from '../report/allure-files.ts';
import { renderSummary } from '../report/console.ts';
import { junitXml } from '../report/junit.ts';
import { summaryMarkdown } from '../report/markdown.ts';
import { EXIT_CODES, type Summary } from '../report/summary.ts';
import {
  brokenLimits,
  bugConflict,
  missingNeeds,
  osRefusal,
  resolveParams,
  runsOn,
  windowsParamRefusal,
  type ScenarioManifest,
} from '../scenario/manifest.ts';
import { definedScenario } from '../scenario/define.ts';
import { backstopMs, executeScenario } from '../scenario/execute.ts';
import { defaultOutDir, type ScenarioOptions } from '../scenario/options.ts';
import { progress, type StopReason } from '../scenario/run.ts';
import { DEFAULT_TARGET, loadTargetSpec, ROOT, type TargetSpec } from '../target/config.ts';
import type { ScenarioArgs } from './args.ts';
import { loadRigFile } from '../rig/rig-file.ts';
import { moduleFile } from '../root.ts';

const usage = (what: string, hint?: string): never => {
  throw new HiltError('USAGE', what, hint ? { hint } : {});
};

// The target config a run uses when --target is not given (an absolute path).
export function defaultTarget(m: ScenarioManifest, set: Record<string, string>): string {
  if (m.targetBy) {
    const p = m.params[m.targetBy.param];
    const value = set[m.targetBy.param] ?? (p?.kind === 'word' ? p.default : '');
    return resolve(ROOT, m.targetBy.targets[value]!);
  }
  return m.target ? resolve(ROOT, m.target) : DEFAULT_TARGET;
}

// A run's target must have what the scenario drives: a black box given to a scenario that speaks
// the reference engine's control lines would fail for the wrong reason.
function requireNeeds(m: ScenarioManifest, spec: TargetSpec, file: string): void {
  const missing = missingNeeds(m.needs, { traits: spec.traits ?? [], controls: spec.controls });
  if (!missing.length) return;
  usage(
    `${m.name} cannot run target ${spec.name} (${file}): it lacks ${missing.join(', ')}`,
    `${m.name} drives what its manifest entry names in "needs"; give a target config that declares them ("traits", "controls"), ` +
      'or pick a scenario for that target (pnpm scenario --list)',
  );
}

// Made one level at a time: Node 20's recursive mkdir spins forever under /proc (--out /proc/x).
function requireWritableOut(out: string): void {
  const missing: string[] = [];
  let dir = out;
  while (!existsSync(dir) && dirname(dir) !== dir) {
    missing.unshift(dir);
    dir = dirname(dir);
  }
  if (!missing.length && !statSync(out).isDirectory()) {
    usage(
      `--out ${out}: that is a file, and hilt writes a folder of results there`,
      'give a folder (new or existing), or leave --out out for reports/out/<scenario>-<time>/',
    );
  }
  try {
    for (const d of missing) mkdirSync(d);
    accessSync(out, constants.W_OK);
  } catch (e) {
    usage(
      `--out ${out}: hilt cannot write its results there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      'give a folder you can write, or leave --out out for reports/out/<scenario>-<time>/',
    );
  }
}

type Plan = ScenarioOptions & { entry: ScenarioManifest };

// --rig-server and --rig-config checked before anything starts: the server path exists, the rig
// file reads and fits its schema (RIG_CONFIG, exit 2). Paths made absolute.
function rigChoice(args: ScenarioArgs): Pick<ScenarioOptions, 'rigServer' | 'rigConfig'> {
  const out: Pick<ScenarioOptions, 'rigServer' | 'rigConfig'> = {};
  if (args.rigServer !== undefined) {
    const s = args.rigServer;
    const path = s.startsWith('unix:') ? s.slice(5) : /^(tcp|tcp4|tcp6):/.test(s) ? undefined : resolve(s);
    if (path !== undefined && !existsSync(path)) {
      usage(
        `--rig-server ${s}: nothing there (${path})`,
        "give the server's runtime dir (the one holding pipewire-0 and pulse/native), its pulse/native socket, or tcp:HOST:PORT",
      );
    }
    out.rigServer = path === undefined ? s : s.startsWith('unix:') ? `unix:${path}` : path;
  }
  if (args.rigConfig !== undefined) {
    out.rigConfig = resolve(args.rigConfig);
    loadRigFile(out.rigConfig);
  }
  return out;
}

// Everything checked, nothing started: the options the scenario's run gets.
export function planRun(args: ScenarioArgs, catalogue: readonly ScenarioManifest[], os = process.platform): Plan {
  if (!args.scenario) usage('no scenario named');
  const entry = catalogue.find((s) => s.name === args.scenario);
  if (!entry) usage(`unknown scenario "${args.scenario}"`);
  const refused = osRefusal(entry!, os);
  if (refused) usage(refused.message, refused.hint);
  const osTarget = os === 'win32' ? entry!.windows?.target : os === 'darwin' ? entry!.macos?.target : undefined;
  if (entry!.rigs && !entry!.rigs.allow.includes(args.rig)) {
    usage(`${entry!.name} does not run on --rig ${args.rig} (only ${entry!.rigs.allow.join(', ')}): ${entry!.rigs.why}`, entry!.rigs.hint);
  }
  const values = resolveParams(entry!, args.set);
  const windowsParam = os === 'win32' ? windowsParamRefusal(entry!, values) : undefined;
  if (windowsParam) usage(windowsParam.message, windowsParam.hint);
  const target = resolve(args.target ?? (osTarget ? resolve(ROOT, osTarget) : defaultTarget(entry!, args.set)));
  const spec = loadTargetSpec(target, { output: 'hilt-observed' });
  const unfit = osRefusal(entry!, os, {
    name: spec.name,
    traits: spec.traits ?? [],
    windowsProgram: spec.wine,
    stopMethod: spec.stop.method,
  });
  if (unfit) usage(unfit.message, unfit.hint);
  requireNeeds(entry!, spec, target);
  const broken = brokenLimits(entry!, values, { name: spec.name, traits: spec.traits ?? [] });
  if (broken) usage(broken.message, broken.hint);
  const conflict = bugConflict(entry!, values, args.bugs);
  if (conflict) usage(conflict.message, conflict.hint);
  const unknown = args.bugs.filter((b) => !spec.bugSwitches.includes(b));
  if (unknown.length)
    usage(`unknown bug switch ${unknown.join(', ')} for target ${spec.name} (known: ${spec.bugSwitches.join(', ') || 'none'})`);
  const out = resolve(args.out ?? defaultOutDir(entry!.name));
  requireWritableOut(out);
  const seed = args.seed ?? Math.floor(Math.random() * 1_000_000);
  return {
    entry: entry!,
    scenario: entry!.name,
    target,
    rig: args.rig,
    ...rigChoice(args),
    repeat: args.repeat,
    ...(args.onlyRepetition && { onlyRepetition: args.onlyRepetition }),
    seed,
    bugs: args.bugs,
    set: args.set,
    out,
  };
}

// Several scenarios in one call: each planned (and so checked) before the first starts, each in
// <out>/<scenario>/, sharing one seed unless given.
export function planRuns(
  args: ScenarioArgs,
  catalogue: readonly ScenarioManifest[],
  os = process.platform,
): { plans: Plan[]; out: string } {
  // --all is every scenario this rig and OS can run; one named alone on the wrong rig or OS is refused.
  const runnable = (s: ScenarioManifest) => (!s.rigs || s.rigs.allow.includes(args.rig)) && runsOn(s, os);
  const names = args.all ? catalogue.filter(runnable).map((s) => s.name) : args.scenarios;
  if (names.length <= 1) {
    const plan = planRun(args, catalogue, os);
    return { plans: [plan], out: plan.out };
  }
  const out = resolve(args.out ?? defaultOutDir(names.length === catalogue.length ? 'all' : names.join('+')));
  const seed = args.seed ?? Math.floor(Math.random() * 1_000_000);
  return { plans: names.map((name) => planRun({ ...args, scenario: name, seed, out: join(out, name) }, catalogue, os)), out };
}

// A scenario file registers its body when imported (defineScenario); only the one that runs is loaded.
async function loadScenario(entry: ScenarioManifest) {
  await import(pathToFileURL(moduleFile(entry.file)).href);
  const def = definedScenario(entry.name);
  if (!def) throw new Error(`${entry.file} did not call defineScenario for "${entry.name}" (its manifest entry names that file)`);
  return def;
}

async function runScenario(plan: Plan, allureDir: string, interrupt: AbortSignal): Promise<Summary> {
  const { entry, ...options } = plan;
  const { out, seed, bugs } = options;
  const how = [`seed ${seed}`, bugs.length && `bug ${bugs.join(',')}`, options.repeat > 1 && `${options.repeat} runs`];
  const replay = options.onlyRepetition ? `, replaying run ${options.onlyRepetition}` : '';
  process.stderr.write(`hilt: running ${entry.name} (${how.filter(Boolean).join(', ')}${replay}) -> ${out}\n`);
  const def = await loadScenario(entry);
  // Every process the run starts inherits this: which run it belongs to, for a user's ps or a test.
  process.env.HILT_RUN = out;
  // This scenario's stop: a signal to hilt, or its backstop deadline.
  const stop = new AbortController();
  const relay = () => stop.abort(interrupt.reason);
  interrupt.addEventListener('abort', relay, { once: true });
  const backstop = setTimeout(() => stop.abort('backstop' satisfies StopReason), backstopMs(options));
  try {
    const summary = await executeScenario(def, options, { allureDir, stop: stop.signal });
    process.stdout.write(renderSummary(summary, out) + '\n');
    return summary;
  } finally {
    clearTimeout(backstop);
    interrupt.removeEventListener('abort', relay);
  }
}

// After the runs: junit.xml, summary.md (also appended to $GITHUB_STEP_SUMMARY) and Allure's
// categories and environment, once for all the scenarios of the call.
function writeCombined(out: string, summaries: Summary[], dirs: string[]): void {
  writeFileSync(join(out, 'junit.xml'), junitXml(summaries));
  const md = summaryMarkdown(summaries, (s) => relative(out, dirs[summaries.indexOf(s)]!));
  writeFileSync(join(out, 'summary.md'), md);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, md);
  writeAllureFiles(join(out, 'allure-results'), summaries);
  if (summaries.length > 1) {
    const index = summaries.map((s, i) => ({
      scenario: s.scenario,
      verdict: s.verdict,
      summary: relative(out, join(dirs[i]!, 'summary.json')),
    }));
    writeFileSync(join(out, 'index.json'), JSON.stringify({ schemaVersion: 2, runs: index }, null, 2) + '\n');
  }
}

// The call's exit: a failure (or flaky) wins, then unavailable, then pass.
const worstExit = (codes: number[]): number => (codes.includes(1) ? 1 : codes.includes(77) ? 77 : 0);

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

// Ctrl+C or SIGTERM: the current repetition ends as fast as its teardown allows, the finished ones
// are written; a second signal leaves at once (the reaper ends whatever is still running).
function interruptOnSignals(): { signal: AbortSignal; off: () => void } {
  const c = new AbortController();
  const on = (sig: keyof typeof SIGNAL_EXIT) => {
    if (c.signal.aborted) {
      process.stderr.write(`hilt: ${sig} again: leaving now; hilt's reaper ends what is still running\n`);
      process.exit(SIGNAL_EXIT[sig]);
    }
    progress(`${sig}: stopping after this run's teardown, keeping the runs that finished (${sig} again to leave at once)`);
    c.abort(sig);
  };
  const onInt = () => on('SIGINT');
  const onTerm = () => on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return { signal: c.signal, off: () => (process.off('SIGINT', onInt), process.off('SIGTERM', onTerm)) };
}

async function runAll(plans: Plan[], out: string): Promise<number> {
  const summaries: Summary[] = [];
  const dirs: string[] = [];
  const interrupt = interruptOnSignals();
  try {
    for (const plan of plans) {
      if (interrupt.signal.aborted) break;
      summaries.push(await runScenario(plan, join(out, 'allure-results'), interrupt.signal));
      dirs.push(plan.out);
    }
    writeCombined(out, summaries, dirs);
  } finally {
    interrupt.off();
  }
  if (plans.length > 1) {
    process.stdout.write(`\nhilt: ${plans.length} scenarios -> ${out}/summary.md\n`);
    for (const s of summaries)
      process.stdout.write(`  ${s.verdict.toUpperCase().padEnd(11)} ${s.scenario}: ${s.diagnosis.split('\n')[0]!.slice(0, 160)}\n`);
  }
  if (interrupt.signal.aborted) {
    const reason = interrupt.signal.reason as keyof typeof SIGNAL_EXIT;
    const done = summaries.reduce((n, s) => n + s.runs, 0);
    process.stderr.write(`hilt: interrupted by ${reason}: ${done} run(s) finished and written to ${out}\n`);
    return SIGNAL_EXIT[reason];
  }
  return worstExit(summaries.map((s) => EXIT_CODES[s.verdict]));
}

// Plans every scenario of the call (usage errors thrown before anything starts), then runs them.
export async function runCall(args: ScenarioArgs, catalogue: readonly ScenarioManifest[]): Promise<number> {
  const { plans, out } = planRuns(args, catalogue);
  return runAll(plans, out);
}
