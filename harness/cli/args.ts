// The command-line contract of `pnpm scenario` (shared/DESIGN.md). Pure parsing: unit-tested.
import { HiltError } from '../errors.ts';

export interface ScenarioArgs {
  list: boolean;
  help: boolean;
  scenario?: string;
  target?: string;
  rig: 'virtual' | 'system';
  repeat: number;
  seed?: number;
  bugs: string[];
  set: Record<string, string>;
  out?: string;
}

export const USAGE = `usage:
  pnpm scenario --list
  pnpm scenario <name> [--target <config>] [--rig virtual|system] [--repeat N] [--seed S]
                       [--bug <switch>[,<switch>]] [--set key=value]... [--out <dir>]
exit codes: 0 pass, 1 fail, 77 unavailable, 2 usage error`;

const usage = (what: string): never => {
  throw new HiltError('USAGE', what, { hint: 'run `pnpm scenario --list` for the scenarios' });
};

export function parseScenarioArgs(argv: string[]): ScenarioArgs {
  const a: ScenarioArgs = { list: false, help: false, rig: 'virtual', repeat: 1, bugs: [], set: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) usage(`${flag} needs a value`);
      return v!;
    };
    switch (flag) {
      case '--list':
        a.list = true;
        break;
      case '--help':
      case '-h':
        a.help = true;
        break;
      case '--target':
        a.target = value();
        break;
      case '--rig': {
        const v = value();
        if (v !== 'virtual' && v !== 'system') usage(`--rig must be virtual or system, not "${v}"`);
        a.rig = v as 'virtual' | 'system';
        break;
      }
      case '--repeat': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) usage('--repeat needs a whole number >= 1');
        a.repeat = n;
        break;
      }
      case '--seed': {
        const v = value();
        const n = Number(v);
        if (v.trim() === '' || !Number.isInteger(n)) usage('--seed needs a whole number');
        a.seed = n;
        break;
      }
      case '--bug':
        a.bugs.push(...value().split(',').filter(Boolean));
        break;
      case '--set': {
        const kv = value();
        const eq = kv.indexOf('=');
        if (eq <= 0) usage(`--set needs key=value, not "${kv}"`);
        a.set[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case '--out':
        a.out = value();
        break;
      default:
        if (flag.startsWith('-')) usage(`unknown flag ${flag}`);
        if (a.scenario) usage(`one scenario at a time: got "${a.scenario}" and "${flag}"`);
        a.scenario = flag;
    }
  }
  return a;
}
