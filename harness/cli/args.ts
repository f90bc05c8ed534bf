// The command-line contract of `pnpm scenario` (docs/design.md). Parsed by node:util's parseArgs
// (no dependency, strict about unknown flags); the checks on values are ours. Pure: unit-tested.
import { parseArgs } from 'node:util';
import { HiltError } from '../errors.ts';
import { defaultRigKind } from '../rig/rig.ts';

export interface ScenarioArgs {
  list: boolean;
  help: boolean;
  version: boolean;
  all: boolean; // every scenario in the catalogue
  scenario?: string; // the first named (for --help)
  scenarios: string[]; // every one named, in order
  onlyRepetition?: number;
  target?: string;
  rig: 'virtual' | 'system';
  rigServer?: string; // --rig-server: the system rig's server, when not the session's own
  rigConfig?: string; // --rig-config: a rig file naming the system rig's device pair
  repeat: number;
  seed?: number;
  bugs: string[];
  set: Record<string, string>;
  out?: string;
}

export const USAGE = `usage:
  pnpm scenario --list | --version
  pnpm scenario <name> --help
  pnpm scenario <name>... | --all  [--target <config>] [--rig virtual|system] [--repeat N] [--seed S]
                       [--rig-server <runtime dir|socket|address>] [--rig-config <rig file>]
                       [--only-repetition K] [--bug <switch>[,<switch>]] [--set key=value]... [--out <dir>]
  several names (or --all): one after another, one combined summary.md, junit.xml and allure-results
  --seed S --only-repetition K: replays run K of an earlier --repeat with the same seed
exit codes: 0 pass, 1 fail or flaky, 77 unavailable, 2 usage error`;

// A seed picks a run's random choices (an order of kill points, say); the same seed replays them.
export const SEED_MAX = 0xffff_ffff;

const VALUED = ['target', 'rig', 'rig-server', 'rig-config', 'repeat', 'seed', 'only-repetition', 'bug', 'set', 'out'] as const;

const usage = (what: string): never => {
  throw new HiltError('USAGE', what, { hint: 'run `pnpm scenario --list` for the scenarios' });
};

// parseArgs' own errors name the flag in quotes; ours say what to do. `valued` maps a flag that
// takes a value to what that value is ("a file"), for "--policy needs a file". Every CLI of hilt uses it.
export function argsError(e: Error & { code?: string }, valued: Record<string, string>, usageOf: (what: string) => never): never {
  const named = /'(-[^' ,]+)/.exec(e.message)?.[1]?.replace(/^(--?[^ =]+).*/, '$1');
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') usageOf(`unknown flag ${named ?? e.message}`);
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = Object.keys(valued).find((v) => e.message.includes(`'--${v}`));
    usageOf(flag ? `--${flag} needs ${valued[flag]}` : `${named} needs a value`);
  }
  return usageOf(e.message);
}

const translate = (e: Error & { code?: string }, argv: string[]): never =>
  argsError(e, Object.fromEntries(VALUED.map((v) => [v, 'a value'])), (what) =>
    usage(what === e.message ? `${e.message} (in: ${argv.join(' ')})` : what),
  );

export function parseScenarioArgs(argv: string[]): ScenarioArgs {
  // A valued flag followed by another flag is a missing value; "--seed -3" is a value parseArgs
  // calls ambiguous, so it is joined as "--seed=-3" and judged by our own check.
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!VALUED.some((v) => a === `--${v}`)) {
      joined.push(a);
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) usage(`${a} needs a value`);
    joined.push(`${a}=${next}`);
    i++;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: joined,
      allowPositionals: true,
      strict: true,
      options: {
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        all: { type: 'boolean' },
        'only-repetition': { type: 'string' },
        target: { type: 'string' },
        rig: { type: 'string' },
        'rig-server': { type: 'string' },
        'rig-config': { type: 'string' },
        repeat: { type: 'string' },
        seed: { type: 'string' },
        bug: { type: 'string', multiple: true },
        set: { type: 'string', multiple: true },
        out: { type: 'string' },
      },
    });
  } catch (e) {
    translate(e as Error, argv);
  }
  const v = parsed!.values;
  const a: ScenarioArgs = {
    list: !!v.list,
    help: !!v.help,
    version: !!v.version,
    all: !!v.all,
    scenarios: [...parsed!.positionals],
    rig: defaultRigKind(),
    repeat: 1,
    bugs: [],
    set: {},
  };
  if (a.all && a.scenarios.length) usage(`--all runs every scenario: name none with it (got ${a.scenarios.join(', ')})`);
  const twice = a.scenarios.find((n, i) => a.scenarios.indexOf(n) !== i);
  if (twice) usage(`scenario "${twice}" named twice: use --repeat N to run it more than once`);
  if (a.scenarios[0] !== undefined) a.scenario = a.scenarios[0];
  if (v.target !== undefined) a.target = v.target;
  if (v.out !== undefined) a.out = v.out;
  if (v.rig !== undefined) {
    if (v.rig !== 'virtual' && v.rig !== 'system') usage(`--rig must be virtual or system, not "${v.rig}"`);
    a.rig = v.rig as ScenarioArgs['rig'];
  }
  for (const flag of ['rig-server', 'rig-config'] as const) {
    const given = v[flag];
    if (given === undefined) continue;
    if (a.rig !== 'system') usage(`--${flag} is for the system rig: add --rig system (the virtual rig is hilt's own private server)`);
    if (given.trim() === '') usage(`--${flag} needs a value, not ""`);
    if (flag === 'rig-server') a.rigServer = given;
    else a.rigConfig = given;
  }
  if (v.repeat !== undefined) {
    const n = Number(v.repeat);
    if (v.repeat.trim() === '' || !Number.isInteger(n) || n < 1) usage(`--repeat needs a whole number >= 1, not "${v.repeat}"`);
    a.repeat = n;
  }
  if (v.seed !== undefined) {
    const n = Number(v.seed);
    if (v.seed.trim() === '' || !Number.isInteger(n) || n < 0 || n > SEED_MAX) {
      usage(
        `--seed needs a whole number from 0 to ${SEED_MAX}, not "${v.seed}": a seed picks a run's random choices ` +
          '(the order of kill points, say), and the same seed replays them',
      );
    }
    a.seed = n;
  }
  const only = v['only-repetition'];
  if (only !== undefined) {
    const n = Number(only);
    if (only.trim() === '' || !Number.isInteger(n) || n < 1) usage(`--only-repetition needs a run number >= 1, not "${only}"`);
    if (a.seed === undefined) usage("--only-repetition K replays run K of an earlier run: give that run's --seed too");
    if (a.scenarios.length !== 1) usage('--only-repetition replays one run of one scenario: name exactly one');
    a.onlyRepetition = n;
  }
  for (const b of v.bug ?? []) a.bugs.push(...b.split(',').filter(Boolean));
  for (const kv of v.set ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) usage(`--set needs key=value, not "${kv}"`);
    a.set[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return a;
}
