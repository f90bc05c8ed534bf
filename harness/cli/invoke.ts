// hilt's own commands as another process runs them (the bench, the tests): the argv to give node,
// exactly as `pnpm <command>` runs it, and a fresh results folder under reports/out/ (generated
// output, ignored by git; never /tmp, which other runs sweep).
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../root.ts';

export type HiltCommand = 'scenario' | 'rig' | 'report' | 'gate' | 'bench';

export const hiltArgv = (command: HiltCommand, args: string[]): string[] => [join(ROOT, 'harness/cli/bin.mjs'), command, ...args];

export function newResultsDir(group: string, label: string): string {
  const base = join(ROOT, 'reports', 'out', group);
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `${label}-`));
}
