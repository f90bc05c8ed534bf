// pnpm provision: sets up this machine as a device runner (docs/runners.md), or with --dry-run prints
// any OS's steps. Exit 0 set up, 1 a required step not done, 2 a bad command line (nothing run).
import { isHiltError } from '../errors.ts';
import { parseProvisionArgs, USAGE } from './args.ts';
import { assumedFacts, provision } from './run.ts';
import { planText } from './steps.ts';

async function main(): Promise<number> {
  let args;
  try {
    args = parseProvisionArgs(process.argv.slice(2), process.platform);
  } catch (e) {
    if (!isHiltError(e, 'USAGE')) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.dryRun) {
    const { facts, note } = assumedFacts(args.os, process.platform);
    process.stdout.write(`${planText(args.os, facts, note)}\n`);
    return 0;
  }
  return provision(args.os, (line) => process.stdout.write(`${line}\n`));
}

process.exitCode = await main();
