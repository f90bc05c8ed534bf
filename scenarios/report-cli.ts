// The `pnpm report` entry: one HTML report (docs/reports.md) from the results of many scenario runs.
// Prints the path of index.html. Exit 0 built, 2 bad input (usage, a folder missing or holding no
// results), 1 the build itself failed.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { HiltError } from '../harness/errors.ts';
import { runCommand } from '../harness/cli/entry.ts';
import { argsError } from '../harness/cli/args.ts';
import { buildReport } from '../harness/report/html/build.ts';
import { findResultsFolders, requireResultsFolders } from '../harness/report/html/collect.ts';
import { ROOT } from '../harness/target/config.ts';

const RESULTS = join(ROOT, 'reports', 'out');
const DEFAULT_OUT = join(RESULTS, 'report');

const USAGE = `usage:
  pnpm report [--out <dir>] [--no-allure] [<results folder>...]
  pnpm report --help

Builds one HTML report from the results folders given (each written by \`pnpm scenario ... --out <dir>\`:
its allure-results/, summary.json and evidence); with none, from every folder under reports/out/ that
has allure-results. Prints the path of index.html: open it in a browser, from the file system; it loads
nothing from outside its folder.
  --out <dir>    where to write the report (default reports/out/report/; replaced on every build)
  --no-allure    skip the Allure 3 view (<out>/allure/index.html); hilt's own page is always built
exit codes: 0 built, 1 the build failed, 2 bad input (usage, a folder missing or holding no results)`;

const usage = (what: string): never => {
  throw new HiltError('USAGE', what, { hint: 'run `pnpm report --help`' });
};

interface ReportArgs {
  help: boolean;
  allure: boolean;
  out: string;
  folders: string[];
}

function parse(argv: string[]): ReportArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { out: { type: 'string' }, 'no-allure': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    argsError(e as Error, { out: 'a folder' }, usage);
  }
  const v = parsed.values;
  if (v.out === '') usage('--out needs a folder');
  return { help: !!v.help, allure: !v['no-allure'], out: resolve(v.out ?? DEFAULT_OUT), folders: parsed.positionals };
}

function foldersToReport(args: ReportArgs): string[] {
  if (args.folders.length) return requireResultsFolders(args.folders);
  const found = findResultsFolders(RESULTS, [args.out]);
  if (!found.length) {
    throw new HiltError('USAGE', 'no results to report', {
      expected: 'folders under reports/out/ with allure-results/*-result.json, or results folders named on the command line',
      seen: `nothing under ${RESULTS}`,
      hint: 'run a scenario first (pnpm scenario kill9), or name results folders: pnpm report <dir>...',
    });
  }
  return found;
}

async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (args.help) return (void process.stdout.write(`${USAGE}\n`), 0);
  const folders = foldersToReport(args);
  const built = await buildReport({ folders, out: args.out, allure: args.allure });
  const allure = built.allureIndex ? `; Allure view: ${built.allureIndex}` : '';
  process.stderr.write(
    `hilt report: ${built.runs} run(s) from ${built.folders} folder(s), ${built.files} evidence file(s), ` +
      `built in ${Math.round(built.ms)} ms${allure}\n`,
  );
  process.stdout.write(`${built.index}\n`);
  return 0;
}

await runCommand({ name: 'hilt report', usage: USAGE, run: main });
