// `pnpm scenario`: a thin CLI over vitest's Node API. One call (one or several scenarios) yields
// the human summary, summary.json per scenario, and one summary.md, junit.xml and allure-results.
// Exit: 0 pass, 1 fail or flaky, 77 unavailable, 2 usage.
// Everything a user can get wrong is checked here, against the manifest, before a rig starts.
import { accessSync, appendFileSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Reporter } from 'vitest/node';
import { HiltError, isHiltError } from '../errors.ts';
import { hiltVersion } from '../version.ts';
import { writeAllureFiles } from '../report/allure-files.ts';
import { renderSummary } from '../report/console.ts';
import { junitXml } from '../report/junit.ts';
import { summaryMarkdown } from '../report/markdown.ts';
import { EXIT_CODES, type Summary } from '../report/summary.ts';
import { missingNeeds, resolveParams, type ScenarioManifest } from '../scenario/manifest.ts';
import { defaultOutDir, OPTIONS_ENV, type ScenarioOptions } from '../scenario/options.ts';
import { PROGRESS_MARK, WAIT_MARK } from '../scenario/run.ts';
import { DEFAULT_TARGET, loadTargetSpec, ROOT, type TargetSpec } from '../target/config.ts';
import { parseScenarioArgs, USAGE, type ScenarioArgs } from './args.ts';
import { listing, scenarioHelp } from './listing.ts';
import { loadRigFile } from '../rig/rig-file.ts';

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
// file reads and fits its schema (RIG_CONFIG, exit 2). Paths made absolute for the worker.
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

// Everything checked, nothing started: the options the scenario worker gets.
export function planRun(args: ScenarioArgs, catalogue: readonly ScenarioManifest[]): Plan {
  if (!args.scenario) usage('no scenario named');
  const entry = catalogue.find((s) => s.name === args.scenario);
  if (!entry) usage(`unknown scenario "${args.scenario}"`);
  resolveParams(entry!, args.set);
  const target = resolve(args.target ?? defaultTarget(entry!, args.set));
  const spec = loadTargetSpec(target, { output: 'hilt-observed' });
  requireNeeds(entry!, spec, target);
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
export function planRuns(args: ScenarioArgs, catalogue: readonly ScenarioManifest[]): { plans: Plan[]; out: string } {
  const names = args.all ? catalogue.map((s) => s.name) : args.scenarios;
  if (names.length <= 1) {
    const plan = planRun(args, catalogue);
    return { plans: [plan], out: plan.out };
  }
  const out = resolve(args.out ?? defaultOutDir(names.length === catalogue.length ? 'all' : names.join('+')));
  const seed = args.seed ?? Math.floor(Math.random() * 1_000_000);
  return { plans: names.map((name) => planRun({ ...args, scenario: name, seed, out: join(out, name) }, catalogue)), out };
}

// The worker's console lines that carry the progress mark, printed as they come: one per
// repetition always, what a long phase waits for only on a terminal.
function progressReporter(): Reporter {
  const tty = process.stderr.isTTY;
  return {
    onUserConsoleLog(log) {
      for (const line of log.content.split('\n')) {
        if (line.startsWith(PROGRESS_MARK)) process.stderr.write(`hilt: ${line.slice(PROGRESS_MARK.length)}\n`);
        else if (tty && line.startsWith(WAIT_MARK)) process.stderr.write(`hilt: ${line.slice(WAIT_MARK.length)}\n`);
      }
    },
  };
}

async function runScenario(plan: Plan, allureDir: string): Promise<Summary | undefined> {
  const { entry, ...options } = plan;
  process.env[OPTIONS_ENV] = JSON.stringify(options);
  const { out, seed, bugs } = options;
  const how = [`seed ${seed}`, bugs.length && `bug ${bugs.join(',')}`, options.repeat > 1 && `${options.repeat} runs`];
  const replay = options.onlyRepetition ? `, replaying run ${options.onlyRepetition}` : '';
  process.stderr.write(`hilt: running ${entry.name} (${how.filter(Boolean).join(', ')}${replay}) -> ${out}\n`);
  const { startVitest } = await import('vitest/node'); // heavy: loaded only when a run starts
  const vitest = await startVitest('test', [resolve(ROOT, entry.file)], {
    root: ROOT,
    project: 'scenario',
    watch: false,
    reporters: [progressReporter(), ['allure-vitest/reporter', { resultsDir: allureDir }]],
  });
  await vitest?.close();
  const file = resolve(out, 'summary.json');
  if (!existsSync(file)) {
    process.stderr.write(`hilt: ${entry.name} ended without writing ${file}: the scenario itself crashed; see ${out}\n`);
    return undefined;
  }
  const summary = JSON.parse(readFileSync(file, 'utf8')) as Summary;
  process.stdout.write(renderSummary(summary, out) + '\n');
  return summary;
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

async function runAll(plans: Plan[], out: string): Promise<number> {
  const summaries: Summary[] = [];
  const dirs: string[] = [];
  const codes: number[] = [];
  for (const plan of plans) {
    const s = await runScenario(plan, join(out, 'allure-results'));
    codes.push(s ? EXIT_CODES[s.verdict] : 1);
    if (s) (summaries.push(s), dirs.push(plan.out));
  }
  writeCombined(out, summaries, dirs);
  if (plans.length > 1) {
    process.stdout.write(`\nhilt: ${plans.length} scenarios -> ${out}/summary.md\n`);
    for (const s of summaries)
      process.stdout.write(`  ${s.verdict.toUpperCase().padEnd(11)} ${s.scenario}: ${s.diagnosis.split('\n')[0]!.slice(0, 160)}\n`);
  }
  return worstExit(codes);
}

export async function scenarioCli(argv: string[], catalogue: readonly ScenarioManifest[]): Promise<number> {
  try {
    const args = parseScenarioArgs(argv);
    if (args.version) return (void process.stdout.write(`hilt ${hiltVersion()}\n`), 0);
    if (args.list) return (void process.stdout.write(listing(catalogue) + '\n'), 0);
    if (args.help) {
      const entry = catalogue.find((s) => s.name === args.scenario);
      if (args.scenario && !entry) usage(`unknown scenario "${args.scenario}"`);
      process.stdout.write((entry ? scenarioHelp(entry) : `${USAGE}\n\n${listing(catalogue)}`) + '\n');
      return 0;
    }
    const { plans, out } = planRuns(args, catalogue);
    return await runAll(plans, out);
  } catch (e) {
    if (!isHiltError(e, 'USAGE') && !isHiltError(e, 'TARGET_CONFIG') && !isHiltError(e, 'RIG_CONFIG')) throw e;
    process.stderr.write(`hilt: ${e.message}\n\n${USAGE}\n\n${listing(catalogue)}\n`);
    return 2;
  }
}
