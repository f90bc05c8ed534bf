// `pnpm scenario`: a thin CLI over vitest's Node API. One run yields the human summary,
// summary.json, Allure results and JUnit XML. Exit: 0 pass, 1 fail, 77 unavailable, 2 usage.
// Everything a user can get wrong is checked here, against the manifest, before a rig starts.
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { HiltError, isHiltError } from '../errors.ts';
import { renderSummary } from '../report/console.ts';
import { EXIT_CODES, type Summary } from '../report/summary.ts';
import { missingNeeds, resolveParams, type ScenarioManifest } from '../scenario/manifest.ts';
import { defaultOutDir, OPTIONS_ENV, type ScenarioOptions } from '../scenario/options.ts';
import { DEFAULT_TARGET, loadTargetSpec, ROOT, type TargetSpec } from '../target/config.ts';
import { parseScenarioArgs, USAGE, type ScenarioArgs } from './args.ts';
import { listing, scenarioHelp } from './listing.ts';

export const hiltVersion = (): string => (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

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

// Everything checked, nothing started: the options the scenario worker gets.
export function planRun(args: ScenarioArgs, catalogue: readonly ScenarioManifest[]): ScenarioOptions & { entry: ScenarioManifest } {
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
  return { entry: entry!, scenario: entry!.name, target, rig: args.rig, repeat: args.repeat, seed, bugs: args.bugs, set: args.set, out };
}

async function runScenario(plan: ScenarioOptions & { entry: ScenarioManifest }): Promise<number> {
  const { entry, ...options } = plan;
  process.env[OPTIONS_ENV] = JSON.stringify(options);
  const { out, seed, bugs } = options;
  process.stderr.write(`hilt: running ${entry.name} (seed ${seed}${bugs.length ? `, bug ${bugs.join(',')}` : ''}) -> ${out}\n`);
  const { startVitest } = await import('vitest/node'); // heavy: loaded only when a run starts
  const vitest = await startVitest('test', [resolve(ROOT, entry.file)], {
    root: ROOT,
    project: 'scenario',
    watch: false,
    reporters: [
      ['junit', { outputFile: resolve(out, 'junit.xml') }],
      ['allure-vitest/reporter', { resultsDir: resolve(out, 'allure-results') }],
    ],
  });
  await vitest?.close();
  const file = resolve(out, 'summary.json');
  if (!existsSync(file)) {
    process.stderr.write(`hilt: ${entry.name} ended without writing ${file}: the scenario itself crashed; see ${out}/junit.xml\n`);
    return 1;
  }
  const summary = JSON.parse(readFileSync(file, 'utf8')) as Summary;
  process.stdout.write(renderSummary(summary, out) + '\n');
  return EXIT_CODES[summary.verdict];
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
    return await runScenario(planRun(args, catalogue));
  } catch (e) {
    if (!isHiltError(e, 'USAGE') && !isHiltError(e, 'TARGET_CONFIG')) throw e;
    process.stderr.write(`hilt: ${e.message}\n\n${USAGE}\n\n${listing(catalogue)}\n`);
    return 2;
  }
}
