// The real run of pnpm provision: the facts read from this machine, then each step of stepsFor in
// order, through zx's $: a step whose check passes says "already", one that does not apply says
// "skipped" and why, otherwise its commands run and it says "done" or "failed" and what to do.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { $, usePowerShell, type Options } from 'zx';
import { ROOT } from '../root.ts';
import { stepsFor, type Facts, type Os, type Step, type TccClient } from './steps.ts';

export const APT_LIST = 'harness/setup/apt-packages.txt';

/** The words of harness/setup/apt-packages.txt, comments dropped: the list setup.sh installs. */
export function aptPackages(text = readFileSync(join(ROOT, APT_LIST), 'utf8')): string[] {
  return text.split('\n').flatMap((line) => line.replace(/#.*/, '').split(/\s+/).filter(Boolean));
}

// The hosted macOS image's runner process, the client cubeb-coreaudio-rs's CI grants.
const HOSTED_RUNNER = '/usr/local/opt/runner/provisioner/provisioner';
const TERMINALS: Record<string, string> = {
  Apple_Terminal: 'com.apple.Terminal',
  'iTerm.app': 'com.googlecode.iterm2',
  vscode: 'com.microsoft.VSCode',
};

function tccClients(nodePath: string, env: NodeJS.ProcessEnv, hosted: boolean): TccClient[] {
  const terminal = TERMINALS[env.TERM_PROGRAM ?? ''];
  return [
    ...(hosted ? [{ client: HOSTED_RUNNER, type: 1 as const }] : []),
    ...(terminal ? [{ client: terminal, type: 0 as const }] : []),
    { client: nodePath, type: 1 },
  ];
}

/** What a dry run assumes (it runs nothing), said in its output; the same values a Mac or Debian host would give. */
export function assumedFacts(os: Os, current: string): { facts: Facts; note: string } {
  if (os === 'darwin') {
    const node = current === 'darwin' ? process.execPath : '/usr/local/bin/node';
    const facts = { macosMajor: 14, tccClients: tccClients(node, { TERM_PROGRAM: 'Apple_Terminal' }, false) };
    return {
      facts,
      note:
        'assumed for a dry run: macOS 14 (a real run reads sw_vers -productVersion); microphone clients Terminal and ' +
        `${node} (a real run: node's own path, the terminal app from TERM_PROGRAM, the hosted runner's ${HOSTED_RUNNER} when present)`,
    };
  }
  if (os === 'linux') {
    const root = current === 'linux' && process.getuid?.() === 0;
    return { facts: { aptPackages: aptPackages(), root }, note: `packages from ${APT_LIST}; ${root ? 'root: no sudo' : 'not root: sudo'}` };
  }
  return { facts: {}, note: 'none needed (each step checks the machine itself)' };
}

export async function realFacts(os: Os): Promise<Facts> {
  if (os === 'darwin') {
    const v = await $({ nothrow: true, quiet: true })`sw_vers -productVersion`;
    const major = Number.parseInt(v.stdout.trim(), 10);
    return {
      macosMajor: Number.isFinite(major) ? major : 14,
      tccClients: tccClients(process.execPath, process.env, existsSync(HOSTED_RUNNER)),
    };
  }
  if (os === 'linux') return { aptPackages: aptPackages(), root: process.getuid?.() === 0 };
  return {};
}

interface Result {
  code: number | null;
  stderr: string;
}

const CHECK_TIMEOUT = 120_000; // ms
const RUN_TIMEOUT = 30 * 60_000;

// One script in the OS's shell. On Windows zx drives powershell.exe, and the script goes in as
// -EncodedCommand (base64 of UTF-16LE), so no quoting rule of any shell touches it.
async function sh(os: Os, script: string, quiet: boolean): Promise<Result> {
  const opts: Partial<Options> = { nothrow: true, quiet, timeout: quiet ? CHECK_TIMEOUT : RUN_TIMEOUT };
  const encoded = Buffer.from(script, 'utf16le').toString('base64');
  const out =
    os === 'win32'
      ? await $(opts)`powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${encoded}`
      : await $(opts)`bash -c ${script}`;
  return { code: out.exitCode, stderr: out.stderr };
}

const lastLine = (s: string): string =>
  s
    .trim()
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .at(-1) ?? '';

const short = (cmd: string): string => (cmd.length > 80 ? `${cmd.slice(0, 77)}...` : cmd);

export type Outcome = 'already' | 'done' | 'skipped' | 'failed' | 'missing';

export async function runStep(os: Os, s: Step, succeeded: Set<string>): Promise<{ outcome: Outcome; line: string }> {
  if (s.after && !succeeded.has(s.after)) return { outcome: 'skipped', line: `skipped: needs "${s.after}", which is not done` };
  if (s.when) {
    const w = await sh(os, s.when.check, true);
    if (w.code !== 0)
      return { outcome: 'skipped', line: `skipped: ${s.when.unless}${lastLine(w.stderr) ? ` (${lastLine(w.stderr)})` : ''}` };
  }
  if ((await sh(os, s.check, true)).code === 0) return { outcome: 'already', line: `already (checked: ${short(s.check)})` };
  if (s.run.length === 0) return { outcome: 'missing', line: `missing; to fix: ${s.fix}` };
  for (const cmd of s.run) {
    const r = await sh(os, cmd, false);
    if (r.code !== 0) {
      const how = r.code === null ? `timed out after ${RUN_TIMEOUT / 60_000} min` : `exit ${r.code}`;
      return { outcome: 'failed', line: `failed (${how}${lastLine(r.stderr) ? `: ${lastLine(r.stderr)}` : ''}); to fix: ${s.fix}` };
    }
  }
  return { outcome: 'done', line: `done (ran: ${s.run.map(short).join('; ')})` };
}

/** Runs every step of this OS; exit 0 when no required step failed or is missing, else 1. */
export async function provision(os: Os, write: (line: string) => void): Promise<number> {
  if (os === 'win32') usePowerShell();
  const facts = await realFacts(os);
  const succeeded = new Set<string>();
  const counts: Record<Outcome, number> = { already: 0, done: 0, skipped: 0, failed: 0, missing: 0 };
  let requiredBad = 0;
  for (const s of stepsFor(os, facts)) {
    const { outcome, line } = await runStep(os, s, succeeded);
    counts[outcome]++;
    if (outcome === 'already' || outcome === 'done') succeeded.add(s.name);
    if ((outcome === 'failed' || outcome === 'missing') && !s.optional) requiredBad++;
    write(`provision: ${s.name}${s.optional ? ' (optional)' : ''}: ${line}`);
  }
  const summary = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  write(`provision: ${os}: ${summary}${requiredBad ? `; ${requiredBad} required step(s) not done: exit 1` : ''}`);
  return requiredBad ? 1 : 0;
}
