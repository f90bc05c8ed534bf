// `pnpm scenario`: a thin CLI over vitest's Node API. One run yields the human summary,
// summary.json, Allure results and JUnit XML. Exit: 0 pass, 1 fail, 77 unavailable, 2 usage.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startVitest } from 'vitest/node';
import { defaultTarget, findScenario, SCENARIOS } from '../../scenarios/index.ts';
import { isHiltError } from '../errors.ts';
import { renderSummary } from '../report/console.ts';
import { EXIT_CODES, type Summary } from '../report/summary.ts';
import { defaultOutDir, OPTIONS_ENV, type ScenarioOptions } from '../scenario/options.ts';
import { DEFAULT_TARGET, loadTargetSpec, ROOT } from '../target/config.ts';
import { parseScenarioArgs, USAGE } from './args.ts';

const listing = () => 'scenarios:\n' + SCENARIOS.map((s) => `  ${s.name.padEnd(14)} ${s.summary}`).join('\n');

function usageError(message: string): never {
  process.stderr.write(`hilt: ${message}\n\n${USAGE}\n\n${listing()}\n`);
  process.exit(2);
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseScenarioArgs(process.argv.slice(2));
  } catch (e) {
    if (isHiltError(e, 'USAGE')) usageError(e.message.split('\n')[0]!);
    throw e;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n\n${listing()}\n`);
    return 0;
  }
  if (args.list) {
    process.stdout.write(listing() + '\n');
    return 0;
  }
  if (!args.scenario) usageError('no scenario named');
  const entry = findScenario(args.scenario);
  if (!entry) usageError(`unknown scenario "${args.scenario}"`);

  let targetFile = '';
  try {
    targetFile = resolve(args.target ?? defaultTarget(entry, args.set));
    const spec = loadTargetSpec(targetFile, { output: 'hilt-observed' });
    const unknown = args.bugs.filter((b) => !spec.bugSwitches.includes(b));
    if (unknown.length) usageError(`unknown bug switch ${unknown.join(', ')} for target ${spec.name} (known: ${spec.bugSwitches.join(', ') || 'none'})`);
  } catch (e) {
    if (isHiltError(e, 'TARGET_CONFIG') || isHiltError(e, 'USAGE')) usageError(e.message);
    throw e;
  }

  const seed = args.seed ?? Math.floor(Math.random() * 1_000_000);
  const out = resolve(args.out ?? defaultOutDir(entry.name));
  const options: ScenarioOptions = { scenario: entry.name, target: targetFile, rig: args.rig, repeat: args.repeat, seed, bugs: args.bugs, set: args.set, out };
  process.env[OPTIONS_ENV] = JSON.stringify(options);
  process.stderr.write(`hilt: running ${entry.name} (seed ${seed}${args.bugs.length ? `, bug ${args.bugs.join(',')}` : ''}) -> ${out}\n`);

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

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`hilt: internal error: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
