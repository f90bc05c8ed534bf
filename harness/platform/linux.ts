// Linux: process facts from /proc, cores via prlimit and core_pattern read by gdb, live stacks by
// gdb attach, the bash reaper. Every fact is implemented here; the other OSes follow this shape.
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../root.ts';
import { containment, ProcessGroup } from './cgroup.ts';
import type { Debugger, Platform, ProcessInfo, ProcessOrigin, ProcessState, ResourceLimits, ThreadInfo } from './platform.ts';
import { parseProcLimit, parseProcStat } from './proc-stat.ts';
import { unsupportedAsync } from './unsupported.ts';
import { killTreeBySignal } from './kill-tree.ts';

const REAPER = join(ROOT, 'harness/platform/reaper.sh'); // a file of the sources, also when hilt runs compiled
const GDB_INSTALL = 'apt-get install gdb (npm run setup installs it)';
const GDB_ALL_THREADS = ['-batch', '-nx', '-ex', 'info threads', '-ex', 'thread apply all bt'];

// undefined when the process is gone (or its stat is unreadable).
async function processInfo(pid: number): Promise<ProcessInfo | undefined> {
  try {
    const st = parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
    return st && { pid: st.pid, ppid: st.ppid, name: st.comm, state: st.state };
  } catch {
    return undefined;
  }
}

async function processState(pid: number): Promise<ProcessState> {
  try {
    const st = parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
    return st && (st.state === 'Z' || st.state === 'X') ? 'zombie' : 'alive';
  } catch {
    return 'gone';
  }
}

async function processes(): Promise<ProcessInfo[]> {
  const out: ProcessInfo[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = await processInfo(Number(entry)); // undefined: exited while we looked
    if (info) out.push(info);
  }
  return out;
}

async function threads(pid: number): Promise<ThreadInfo[] | undefined> {
  try {
    const tids = (await readdir(`/proc/${pid}/task`)).map(Number);
    const out: ThreadInfo[] = [];
    for (const tid of tids) {
      const name = await readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8').then(
        (s) => s.trim(),
        () => undefined,
      );
      if (name !== undefined) out.push({ tid, name });
    }
    return out;
  } catch {
    return undefined;
  }
}

async function fdCount(pid: number): Promise<number | undefined> {
  try {
    return (await readdir(`/proc/${pid}/fd`)).length;
  } catch {
    return undefined;
  }
}

// One scan of /proc, then the tree below pid (breadth first, so parents come before children).
async function descendants(pid: number): Promise<number[]> {
  const all = await processes();
  const out: number[] = [];
  for (let frontier = [pid]; frontier.length;) {
    const next = all.filter((p) => frontier.includes(p.ppid) && p.pid !== pid).map((p) => p.pid);
    out.push(...next);
    frontier = next;
  }
  return out;
}

// /proc/<pid>/environ: the environment the process was exec'd with, NUL-separated. Another
// user's is unreadable (skipped); a zombie's is empty.
// Read synchronously: a few hundred small files from memory take about 2 ms this way, against 10
// to 20 one await at a time (an inventory snapshot asks this every time).
async function processesWithEnv(name: string, value: string): Promise<ProcessInfo[]> {
  const entry = `${name}=${value}`;
  const out: ProcessInfo[] = [];
  const environOf = (dir: string): string => {
    try {
      return readFileSync(`/proc/${dir}/environ`, 'latin1');
    } catch {
      return '';
    }
  };
  for (const dir of readdirSync('/proc')) {
    if (!/^\d+$/.test(dir)) continue;
    if (!environOf(dir).split('\0').includes(entry)) continue;
    const info = await processInfo(Number(dir));
    if (info && info.state !== 'Z' && info.state !== 'X') out.push(info);
  }
  return out;
}

async function processOrigin(pid: number): Promise<ProcessOrigin | undefined> {
  const st = parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''));
  if (!st) return undefined;
  const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'latin1').catch(() => '')).split('\0').filter(Boolean).join(' ');
  const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => undefined);
  return { cmdline: cmdline || `[${st.comm}]`, sessionId: st.session, ppid: st.ppid, env: environ?.split('\0').filter(Boolean) };
}

async function resourceLimits(pid: number): Promise<ResourceLimits | undefined> {
  const text = await readFile(`/proc/${pid}/limits`, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const coreBytes = parseProcLimit(text, 'Max core file size');
  const openFiles = parseProcLimit(text, 'Max open files');
  return coreBytes === undefined || openFiles === undefined ? undefined : { coreBytes, openFiles };
}

const killTree = (pid: number): Promise<number[]> => killTreeBySignal(pid, descendants);

const coreDebugger: Debugger<[exe: string, core: string]> = {
  tool: 'gdb',
  args: (exe, core) => [...GDB_ALL_THREADS, exe, core],
  parser: 'gdb',
  install: GDB_INSTALL,
};

const stackDebugger: Debugger<[pid: number]> = {
  tool: 'gdb',
  args: (pid) => ['-p', String(pid), ...GDB_ALL_THREADS],
  parser: 'gdb',
  install: GDB_INSTALL,
};

// gdb's Python extensions ship with Debian's python3-dbg (auto-loaded for /usr/bin/python3.X).
const pythonStackDebugger: Debugger<[pid: number]> = {
  tool: 'gdb',
  args: (pid) => ['-p', String(pid), '-batch', '-nx', '-ex', 'thread apply all py-bt'],
  parser: 'gdb',
  install: "apt-get install python3-dbg (gdb's py-bt for Debian's python3; npm run setup installs it)",
};

export const linux: Platform = {
  os: 'linux',
  process: processInfo,
  processState,
  processes,
  parentPid: async (pid) => (await processInfo(pid))?.ppid,
  processName: async (pid) => (await processInfo(pid))?.name,
  threads,
  fdCount,
  children: async (pid) => (await processes()).filter((p) => p.ppid === pid && p.pid !== pid).map((p) => p.pid),
  descendants,
  processesWithEnv,
  processOrigin,
  containment,
  newGroup: (name) => {
    const c = containment();
    if (!c.ok) throw new Error(`no group can be made: ${c.why}`); // callers ask containment() first
    return ProcessGroup.under(c.root, name);
  },
  // prlimit execs the target in place (same pid) with RLIMIT_CORE raised.
  coreLaunchPrefix: () => ['prlimit', '--core=unlimited', '--'],
  corePattern: async () => (await readFile('/proc/sys/kernel/core_pattern', 'utf8').catch(() => '?')).trim(),
  isCoreFile: (name) => name.startsWith('core'),
  coreDebugger: () => coreDebugger,
  stackDebugger: () => stackDebugger,
  pythonStackDebugger: () => pythonStackDebugger,
  resourceLimits,
  reaperArgv: () => ['bash', REAPER],
  killTree,
  askToStop: unsupportedAsync(
    'linux',
    'Ctrl+Break or WM_CLOSE',
    'a signal: Linux programs are asked to stop by SIGTERM or SIGINT (stop.method "signal")',
  ),
  exitStatus: () => undefined, // a Linux exit code is the program's own; death by signal comes separately
};
