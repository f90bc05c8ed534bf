// macOS process facts from ps(1) and lsof(8): the argv hilt runs and pure parsers of their output,
// tested on samples in harness/platform/composed/. Running them is the only I/O here (runMacTool).
import { execFile } from 'node:child_process';
import { HiltError } from '../errors.ts';
import type { ProcessInfo, ThreadInfo } from './platform.ts';

// ucomm (p_comm, cut at 16 as Linux's comm at 15), not comm (the exec path); last, as it may hold spaces.
export const PS_LIST = ['-axo', 'pid=,ppid=,stat=,ucomm='];
export const psOne = (pid: number): string[] => ['-o', 'pid=,ppid=,stat=,ucomm=', '-p', String(pid)];
export const psThreads = (pid: number): string[] => ['-M', '-p', String(pid)];
// -E appends the environment after the command line, only for processes of hilt's own user (root: all).
export const PS_ENV = ['-Eww', '-axo', 'pid=,command='];
export const psCommand = (pid: number, env: boolean): string[] => [env ? '-Eww' : '-ww', '-o', 'command=', '-p', String(pid)];
// pgid, not sess: macOS ps's sess is the kernel's session pointer (0 when hidden), not getsid()'s id.
export const psOrigin = (pid: number): string[] => ['-o', 'pid=,ppid=,pgid=,stat=', '-p', String(pid)];
// -n -P: no DNS or port-name lookups, which can take seconds; -p: only that process's files.
export const lsofFiles = (pid: number): string[] => ['-n', '-P', '-p', String(pid)];

export interface ToolRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function toolFailed(tool: string, args: string[], r: ToolRun, expected: string): HiltError {
  return new HiltError('TOOL_FAILED', `\`${tool} ${args.join(' ')}\` gave what hilt cannot read (exit ${r.exitCode})`, {
    expected,
    seen: (r.stdout.trim().slice(0, 300) || r.stderr.trim().slice(0, 300) || '(no output)').replace(/\n/g, ' | '),
    hint: `run \`${tool} ${args.join(' ')}\` by hand; if its format differs, record it in harness/platform/composed/ and fix darwin-ps.ts`,
  });
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim());

// "  501   1 Ss   launchd": pid, ppid, state (its first letter, as ps(1) means it), name.
function psRow(tool: string, args: string[], r: ToolRun, line: string): ProcessInfo {
  const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
  if (!m) throw toolFailed(tool, args, r, 'lines of pid, ppid, stat and ucomm');
  return { pid: Number(m[1]), ppid: Number(m[2]), state: m[3]![0]!, name: m[4]!.trimEnd() };
}

// `ps -axo pid=,ppid=,stat=,ucomm=` or `ps -o ... -p PID`: no header (the `=` columns), one line each.
export const parsePsList = (r: ToolRun, args: string[] = PS_LIST): ProcessInfo[] => lines(r.stdout).map((l) => psRow('ps', args, r, l));

// ps -M shows no thread ids: the first row (main thread) gets the pid, as on Linux; the others -1, -2... (rows).
export function parsePsThreads(r: ToolRun, pid: number, args: string[] = psThreads(pid)): ThreadInfo[] | undefined {
  const all = lines(r.stdout);
  if (!all.length) return undefined;
  if (!/^USER\s+PID\s+TT\s+%CPU\s+STAT\s+PRI\s+STIME\s+UTIME\s+COMMAND\s*$/.test(all[0]!)) {
    throw toolFailed('ps', args, r, 'a header USER PID TT %CPU STAT PRI STIME UTIME COMMAND, then one row per thread');
  }
  const rows = all.slice(1).filter((l) => l.trim().split(/\s+/).slice(0, 2).includes(String(pid)));
  if (rows.length !== all.length - 1) throw toolFailed('ps', args, r, `every row naming pid ${pid}`);
  return rows.length ? rows.map((_, i) => ({ tid: i === 0 ? pid : -i, name: '' })) : undefined;
}

// Descriptors are the lsof rows whose FD is a number (0u, 3r); cwd, txt and mem rows are files, not descriptors.
export function parseLsofFdCount(r: ToolRun, pid: number, args: string[] = lsofFiles(pid)): number | undefined {
  const all = lines(r.stdout);
  if (!all.length) return undefined;
  if (!/^COMMAND\s+PID\s+USER\s+FD\s+TYPE\s+DEVICE\s+SIZE\/OFF\s+NODE\s+NAME\s*$/.test(all[0]!)) {
    throw toolFailed('lsof', args, r, 'a header COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME, then one row per open file');
  }
  // lsof writes a space in a command name as \x20, so the columns split on blanks.
  const rows = all.slice(1).map((l) => l.trim().split(/\s+/));
  if (rows.some((c) => c[1] !== String(pid) || c.length < 4)) throw toolFailed('lsof', args, r, `every row naming pid ${pid}`);
  return rows.filter((c) => /^\d+/.test(c[3]!)).length;
}

// `ps -Eww -axo pid=,command=`: the pids whose line holds NAME=value as a word of its own.
export function parsePsEnvMatch(r: ToolRun, entry: string): number[] {
  return lines(r.stdout).flatMap((l) => {
    const m = /^\s*(\d+)\s(.*)$/.exec(l);
    if (!m) throw toolFailed('ps', PS_ENV, r, 'lines of pid, then the command line and its environment');
    return ` ${m[2]} `.includes(` ${entry} `) ? [Number(m[1])] : [];
  });
}

// What -E adds to the command line, split at NAME= words (a value with a space stays whole); undefined: none shown.
export function parseEnvSuffix(command: string, withEnv: string): string[] | undefined {
  const cmd = command.trim();
  const all = withEnv.trim();
  if (!all.startsWith(cmd) || all.length === cmd.length) return undefined;
  const out: string[] = [];
  for (const word of all.slice(cmd.length).trim().split(' ')) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word) || !out.length) out.push(word);
    else out[out.length - 1] += ` ${word}`;
  }
  return out;
}

// `ps -o pid=,ppid=,pgid=,stat= -p PID`.
export function parsePsOrigin(r: ToolRun, pid: number): { ppid: number; pgid: number; state: string } | undefined {
  const line = lines(r.stdout)[0];
  if (line === undefined) return undefined;
  const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s*$/.exec(line);
  if (!m || Number(m[1]) !== pid) throw toolFailed('ps', psOrigin(pid), r, 'one line: pid, ppid, pgid, stat');
  return { ppid: Number(m[2]), pgid: Number(m[3]), state: m[4]![0]! };
}

export const ULIMITS = ['-c', 'ulimit -Sc; ulimit -Sn'];

// `sh -c 'ulimit -Sc; ulimit -Sn'`: two lines, each a number or "unlimited".
export function parseUlimits(r: ToolRun): { coreBytes: number | 'unlimited'; openFiles: number | 'unlimited' } {
  const [core, files] = lines(r.stdout).map((l) => l.trim());
  const value = (v: string | undefined) => (v === 'unlimited' ? v : v && /^\d+$/.test(v) ? Number(v) : undefined);
  const coreBlocks = value(core); // POSIX sh's ulimit -c counts 512-byte blocks
  const openFiles = value(files);
  if (coreBlocks === undefined || openFiles === undefined)
    throw toolFailed('sh', ULIMITS, r, 'two lines: the core and open-files soft limits');
  return { coreBytes: coreBlocks === 'unlimited' ? coreBlocks : coreBlocks * 512, openFiles };
}

// The process tree below pid in one snapshot, breadth first (parents before children).
export function treeBelow(all: ProcessInfo[], pid: number): number[] {
  const out: number[] = [];
  for (let frontier = [pid]; frontier.length;) {
    const next = all.filter((p) => frontier.includes(p.ppid) && p.pid !== pid && !out.includes(p.pid)).map((p) => p.pid);
    out.push(...next);
    frontier = next;
  }
  return out;
}

const TIMEOUT_MS = 15_000;

// execFile with a deadline, as win32-proc.ts: the watchdog's runTool would make a folder cycle (watchdog -> evidence -> platform).
export function runMacTool(tool: string, args: string[], install: string): Promise<ToolRun> {
  return new Promise((done, fail) => {
    execFile(tool, args, { encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 64 << 20 }, (e, stdout, stderr) => {
      if (e && (e as NodeJS.ErrnoException).code === 'ENOENT') {
        fail(
          new HiltError('PLATFORM_UNSUPPORTED', `${tool} is not on this Mac's PATH`, {
            expected: `${tool} (part of macOS)`,
            seen: `spawn ${tool} ENOENT`,
            hint: install,
          }),
        );
        return;
      }
      const code = e ? (typeof e.code === 'number' ? e.code : -1) : 0;
      if (code === -1 && e?.killed) {
        fail(new HiltError('DEADLINE', `\`${tool} ${args.join(' ')}\` did not answer`, { expected: `an answer within ${TIMEOUT_MS} ms` }));
        return;
      }
      done({ exitCode: code, stdout, stderr: stderr + (e && code === -1 ? String(e) : '') });
    });
  });
}
