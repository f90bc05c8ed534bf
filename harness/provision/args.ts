// pnpm provision's command line: --dry-run, --os darwin|win32|linux, --help. Anything else is a
// USAGE error (exit 2) before any step runs: a typo is never ignored.
import { parseArgs } from 'node:util';
import { HiltError } from '../errors.ts';
import { OSES, type Os } from './steps.ts';

export interface ProvisionArgs {
  os: Os;
  dryRun: boolean;
  help: boolean;
}

export const USAGE = `usage: pnpm provision [--dry-run] [--os darwin|win32|linux]
  Sets up this machine as a device runner (docs/runners.md): each step checks first, says
  "already" when done, and prints one line. --dry-run prints the steps for any OS and runs nothing.`;

const FLAGS = ['--dry-run', '--os', '--help'];

// The flag a typo most likely meant: the nearest by edit distance, if it is near at all.
function nearest(word: string, choices: readonly string[]): string | undefined {
  const dist = (a: string, b: string): number => {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
      prev = row;
    }
    return prev[b.length]!;
  };
  const best = [...choices].sort((x, y) => dist(word, x) - dist(word, y))[0];
  return best !== undefined && dist(word, best) <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

const OS_ALIASES: Record<string, Os> = { macos: 'darwin', mac: 'darwin', osx: 'darwin', windows: 'win32', win: 'win32' };

export function parseProvisionArgs(argv: string[], current: string): ProvisionArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { 'dry-run': { type: 'boolean' }, os: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    const m = /Unknown option '([^']+)'|Unexpected argument '([^']+)'|Option '([^']+?)[ ']/.exec((e as Error).message);
    const seen = m?.[1] ?? m?.[2] ?? m?.[3] ?? argv.join(' ');
    const flag = seen.replace(/[ =].*/, '');
    const guess = flag.startsWith('-') && !FLAGS.includes(flag) ? nearest(flag, FLAGS) : undefined;
    throw new HiltError('USAGE', `pnpm provision: ${(e as Error).message.split('\n')[0]}`, {
      expected: `only ${FLAGS.join(', ')} (--os takes darwin, win32 or linux)`,
      seen: argv.join(' ') || '(nothing)',
      hint: guess ? `did you mean ${guess}? ${USAGE.split('\n')[0]}` : USAGE.split('\n')[0]!,
    });
  }
  const { values } = parsed;
  const os = values.os ?? current;
  if (!(OSES as readonly string[]).includes(os)) {
    const alias = OS_ALIASES[os.toLowerCase()];
    throw new HiltError('USAGE', `pnpm provision: unknown OS "${os}"`, {
      expected: `--os ${OSES.join(', ')} (Node's names for macOS, Windows and Linux)`,
      seen: values.os === undefined ? `this machine's platform: ${current}` : `--os ${os}`,
      hint: alias ? `did you mean --os ${alias}?` : 'use one of the three; without --os, provision sets up the machine it runs on',
    });
  }
  const dryRun = values['dry-run'] ?? false;
  if (!dryRun && os !== current && !values.help) {
    throw new HiltError('USAGE', `pnpm provision: --os ${os} on a ${current} machine without --dry-run`, {
      expected: `--os ${current} (or no --os) to provision this machine, or --dry-run to print another OS's steps`,
      seen: `--os ${os}`,
      hint: `pnpm provision --dry-run --os ${os}`,
    });
  }
  return { os: os as Os, dryRun, help: values.help ?? false };
}
