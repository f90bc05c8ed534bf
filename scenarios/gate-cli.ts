// The `pnpm gate` entry: the release gate over this project's scenario catalogue (docs/gate.md). It reads
// results from many runners, applies the release policy and says ship (exit 0) or do not ship (exit 1);
// any input it cannot trust (usage, policy, results, versions) is exit 2, never a pass.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { argsError } from '../harness/cli/args.ts';
import { HiltError, isHiltError } from '../harness/errors.ts';
import { runCommand } from '../harness/cli/entry.ts';
import { formatReport, reportJson } from '../harness/gate/format.ts';
import { gate } from '../harness/gate/gate.ts';
import { DEFAULT_POLICY } from '../harness/gate/policy.ts';
import { ROOT } from '../harness/target/config.ts';
import { SCENARIO_LIST } from './manifest.ts';

const USAGE = `usage:
  pnpm gate [--policy <file>] [--json] <results folder or archive>...
  pnpm gate --help

Reads every summary.json (at any depth) in the results folders, .zip and .tar.gz archives given,
applies the release policy (default: ${DEFAULT_POLICY}), prints one line per requirement
(ship, FAIL or waived, with the figures) and the release verdict.
  --policy <file>  the release policy (JSON; schema/policy.schema.json; docs/gate.md)
  --json           print the verdict and every line as JSON on stdout
exit codes: 0 ship, 1 do not ship, 2 bad input (usage, policy, a missing, corrupt or old result,
another hilt version): never a pass`;

const usage = (what: string): never => {
  throw new HiltError('USAGE', what, { hint: 'run `pnpm gate --help`' });
};

interface GateArgs {
  help: boolean;
  json: boolean;
  policy?: string;
  sources: string[];
}

function parse(argv: string[]): GateArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { policy: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    argsError(e as Error, { policy: 'a file' }, usage);
  }
  const v = parsed.values;
  if (v.policy === '') usage('--policy needs a file');
  const a: GateArgs = { help: !!v.help, json: !!v.json, sources: parsed.positionals };
  if (v.policy !== undefined) a.policy = v.policy;
  if (!a.help && a.sources.length === 0) usage('no results given: name at least one results folder, .zip or .tar.gz');
  return a;
}

function main(argv: string[]): number {
  const args = parse(argv);
  if (args.help) return (void process.stdout.write(`${USAGE}\n`), 0);
  const policyFile = args.policy ?? DEFAULT_POLICY;
  const report = gate({
    policyFile: resolve(args.policy === undefined ? ROOT : '.', policyFile),
    sources: args.sources,
    catalogue: SCENARIO_LIST,
  });
  process.stdout.write(`${args.json ? reportJson(report, policyFile) : formatReport(report, policyFile)}\n`);
  return report.verdict === 'ship' ? 0 : 1;
}

// The gate could not judge: never a pass; with --json the error is also said as JSON on stdout.
await runCommand({
  name: 'hilt gate',
  usage: USAGE,
  run: main,
  onError: (e) => {
    if (!process.argv.includes('--json')) return;
    const code = isHiltError(e) ? e.code : 'INTERNAL';
    const message = isHiltError(e) ? e.message : String((e as Error)?.message ?? e);
    process.stdout.write(`${JSON.stringify({ verdict: 'error', error: { code, message } }, null, 2)}\n`);
  },
});
