// Runs the real `pnpm scenario` CLI (as its script does: one node process) and reads what it
// wrote. The scenario tests judge hilt by its own summary.json, exactly as CI and the gate do.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type Options } from 'execa';
import { checksById } from '../harness/check/check.ts';
import { hiltArgv, newResultsDir } from '../harness/cli/invoke.ts';
import type { Summary } from '../harness/report/summary.ts';
import { ROOT } from '../harness/target/config.ts';

export interface CliRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  out: string;
  summary: Summary | undefined;
  pid: number | undefined; // hilt's, which names its cgroup (hilt-<pid>) and every target group below it
}

export const hiltArgs = hiltArgv;
export const cliArgs = (args: string[]) => hiltArgv('scenario', args);

// Results of test runs are generated output: under reports/out (ignored), never in /tmp.
export const newOutDir = (label: string): string => newResultsDir('test-runs', label);

export async function runCli(args: string[], opts: Options = {}): Promise<CliRun> {
  const out = args.includes('--out') ? args[args.indexOf('--out') + 1]! : newOutDir('run');
  const full = args.includes('--out') || !args.some((a) => !a.startsWith('-')) ? args : [...args, '--out', out];
  const cli = execa(process.execPath, cliArgs(full), { cwd: ROOT, reject: false, timeout: 120_000, ...opts });
  const r = await cli;
  const file = join(out, 'summary.json');
  return {
    pid: cli.pid,
    exitCode: r.exitCode,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
    out,
    summary: existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Summary) : undefined,
  };
}

// Live processes still in a hilt run's cgroup (hilt-<pid>/...), whatever they did to escape: none
// should be once that run has ended. Other runs' processes (test files run side by side) are not its.
export function liveInGroupOf(hiltPid: number): string[] {
  const out: string[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (!readFileSync(`/proc/${p}/cgroup`, 'latin1').includes(`/hilt-${hiltPid}/`)) continue;
      if (/^[ZX]/.test(readFileSync(`/proc/${p}/stat`, 'latin1').replace(/^.*\) /s, ''))) continue; // dead, not yet reaped
      out.push(`${p} ${readFileSync(`/proc/${p}/cmdline`, 'latin1').replace(/\0/g, ' ').trim()}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

// Checks are found by their stable id (and subject), never by the sentence people read.
export const checks = (s: Summary | undefined, id: string, subject?: string) => (s ? checksById(s.checks, id, subject) : []);
export const check = (s: Summary | undefined, id: string, subject?: string) => checks(s, id, subject)[0];
