// `pnpm scenario`: the arguments, then --version, --list and --help (which load nothing more), or
// a call that runs scenarios (scenario-run.ts, loaded only then).
// Exit: 0 pass, 1 fail or flaky, 77 unavailable, 2 usage, 130/143 interrupted (SIGINT/SIGTERM).
import { HiltError } from '../errors.ts';
import { resolveParams, type ScenarioManifest } from '../scenario/manifest.ts';
import { hiltVersion } from '../version.ts';
import { parseScenarioArgs, USAGE } from './args.ts';
import { listing, scenarioHelp } from './listing.ts';

const usage = (what: string): never => {
  throw new HiltError('USAGE', what);
};

// The usage text after a usage error: the synopsis and the scenarios.
export const scenarioUsage = (catalogue: readonly ScenarioManifest[]): string => `${USAGE}\n\n${listing(catalogue)}`;

// Errors are thrown: harness/cli/entry.ts says them and picks the exit code.
export async function scenarioCli(argv: string[], catalogue: readonly ScenarioManifest[]): Promise<number> {
  const args = parseScenarioArgs(argv);
  if (args.version) return (void process.stdout.write(`hilt ${hiltVersion()}\n`), 0);
  if (args.list) return (void process.stdout.write(listing(catalogue) + '\n'), 0);
  if (args.help) {
    const entry = catalogue.find((s) => s.name === args.scenario);
    if (args.scenario && !entry) usage(`unknown scenario "${args.scenario}"`);
    process.stdout.write((entry ? scenarioHelp(entry) : `${USAGE}\n\n${listing(catalogue)}`) + '\n');
    return 0;
  }
  // Parameters checked before the run machinery loads: a usage error needs none of its packages (under
  // Windows's Node in Wine they do not all resolve: pnpm's links read as plain folders there).
  const named = catalogue.find((s) => s.name === args.scenario);
  if (named) resolveParams(named, args.set);
  const { runCall } = await import('./scenario-run.ts');
  return await runCall(args, catalogue);
}
