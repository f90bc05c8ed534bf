// macOS: process facts from ps and lsof (darwin-ps.ts), crash reports from DiagnosticReports as a
// crash's evidence (darwin-ips.ts), live stacks by lldb, the bash reaper. What macOS cannot answer
// throws PLATFORM_UNSUPPORTED naming what is missing and what would give it.
import { join } from 'node:path';
import { HiltError } from '../errors.ts';
import { ROOT } from '../root.ts';
import { crashReportCandidates, pickCrashReport, renderIps } from './darwin-ips.ts';
import {
  lsofFiles,
  parseEnvSuffix,
  parseLsofFdCount,
  parsePsEnvMatch,
  parsePsList,
  parsePsOrigin,
  parsePsThreads,
  parseUlimits,
  PS_ENV,
  PS_LIST,
  psCommand,
  psOne,
  psOrigin,
  psThreads,
  runMacTool,
  toolFailed,
  treeBelow,
  ULIMITS,
  type ToolRun,
} from './darwin-ps.ts';
import type { CrashReport, Debugger, Platform, ProcessInfo, ProcessOrigin, ProcessState, ResourceLimits, ThreadInfo } from './platform.ts';
import { unsupported, unsupportedAsync } from './unsupported.ts';
import { killTreeBySignal } from './kill-tree.ts';

const REAPER = join(ROOT, 'harness/platform/reaper.sh'); // a file of the sources, also when hilt runs compiled
const no = (fact: string, would: string) => unsupportedAsync('darwin', fact, would);
const SYSTEM = 'it is part of macOS: check PATH holds /bin, /usr/bin and /usr/sbin';
const LLDB_INSTALL = 'xcode-select --install (lldb comes with the Command Line Tools)';

const ps = (args: string[]): Promise<ToolRun> => runMacTool('ps', args, SYSTEM);

// ps exits 1 with nothing on stdout when no process matched -p: gone, not a failure.
const gone = (r: ToolRun): boolean => r.exitCode === 1 && !r.stdout.trim();

function ok(tool: string, args: string[], r: ToolRun, expected: string): ToolRun {
  if (r.exitCode !== 0) throw toolFailed(tool, args, r, expected);
  return r;
}

async function processInfo(pid: number): Promise<ProcessInfo | undefined> {
  const args = psOne(pid);
  const r = await ps(args);
  if (gone(r)) return undefined;
  return parsePsList(ok('ps', args, r, 'exit 0 and one line'), args).find((p) => p.pid === pid);
}

async function processState(pid: number): Promise<ProcessState> {
  const p = await processInfo(pid);
  return !p ? 'gone' : p.state === 'Z' ? 'zombie' : 'alive';
}

const processes = async (): Promise<ProcessInfo[]> => parsePsList(ok('ps', PS_LIST, await ps(PS_LIST), 'exit 0 and the process list'));

async function threads(pid: number): Promise<ThreadInfo[] | undefined> {
  const args = psThreads(pid);
  const r = await ps(args);
  if (gone(r) || (r.exitCode === 1 && r.stdout.trim().split('\n').length === 1)) return undefined; // the header alone
  return parsePsThreads(ok('ps', args, r, 'exit 0 and a row per thread'), pid, args);
}

// lsof exits 1 with no rows for a gone pid and for one it may not read (another user's): ps tells which.
async function fdCount(pid: number): Promise<number | undefined> {
  const args = lsofFiles(pid);
  const r = await runMacTool('lsof', args, SYSTEM);
  if (r.exitCode === 0) return parseLsofFdCount(r, pid, args);
  if (r.exitCode === 1 && !r.stdout.trim()) {
    if (!(await processInfo(pid))) return undefined;
    throw new HiltError('PLATFORM_UNSUPPORTED', `pid ${pid}'s open descriptors on macOS: lsof listed none of its files`, {
      expected: `\`lsof ${args.join(' ')}\` to list its files`,
      seen: r.stderr.trim().slice(0, 300) || 'exit 1, no rows, while ps still lists it',
      hint: "run hilt as the target's user (or root): lsof reads only the processes it may inspect",
    });
  }
  throw toolFailed('lsof', args, r, 'exit 0 and its open files');
}

// One snapshot, so a tree read while processes come and go is still one tree.
const descendants = async (pid: number): Promise<number[]> => treeBelow(await processes(), pid);
const children = async (pid: number): Promise<number[]> =>
  (await processes()).filter((p) => p.ppid === pid && p.pid !== pid).map((p) => p.pid);

// ps -E shows only hilt's own user's environments (root: all); the others are skipped, as Platform allows.
async function processesWithEnv(name: string, value: string): Promise<ProcessInfo[]> {
  const pids = parsePsEnvMatch(ok('ps', PS_ENV, await ps(PS_ENV), 'exit 0 and every process with its environment'), `${name}=${value}`);
  if (!pids.length) return [];
  return (await processes()).filter((p) => pids.includes(p.pid) && p.state !== 'Z');
}

async function processOrigin(pid: number): Promise<ProcessOrigin | undefined> {
  const args = psOrigin(pid);
  const r = await ps(args);
  if (gone(r)) return undefined;
  const o = parsePsOrigin(ok('ps', args, r, 'exit 0 and one line'), pid);
  if (!o) return undefined;
  const [plain, withEnv] = await Promise.all([ps(psCommand(pid, false)), ps(psCommand(pid, true))]);
  const cmdline = plain.exitCode === 0 ? plain.stdout.trim() : '';
  const env = withEnv.exitCode === 0 && cmdline ? parseEnvSuffix(cmdline, withEnv.stdout) : undefined;
  // The session's stand-in is the process group: a setsid() makes a new group too, and ps shows no getsid().
  return { cmdline: cmdline || `[${(await processInfo(pid))?.name ?? pid}]`, sessionId: o.pgid, ppid: o.ppid, env };
}

// macOS shows no other process's limits (no /proc, no prlimit): only hilt's own, via a shell inheriting them.
async function resourceLimits(pid: number): Promise<ResourceLimits | undefined> {
  if (pid !== process.pid) {
    throw new HiltError('PLATFORM_UNSUPPORTED', `pid ${pid}'s resource limits on macOS: macOS shows no other process's limits`, {
      expected: "a way to read another process's RLIMIT_CORE and RLIMIT_NOFILE",
      seen: 'macOS has no /proc/<pid>/limits and no prlimit; getrlimit answers for the caller only',
      hint:
        `ask for hilt's own (pid ${process.pid}), which a target it launches inherits; a core limit does not matter ` +
        'on macOS, where every crash leaves a report in ~/Library/Logs/DiagnosticReports',
    });
  }
  return parseUlimits(ok('sh', ULIMITS, await runMacTool('/bin/sh', ULIMITS, SYSTEM), 'exit 0 and two limits'));
}

const killTree = (pid: number): Promise<number[]> => killTreeBySignal(pid, descendants);

async function crashReport(pid: number, sinceMs: number): Promise<CrashReport | undefined> {
  const found = pickCrashReport(await crashReportCandidates(sinceMs), pid, sinceMs);
  return found && { file: found.file, text: found.text, parser: 'ips', summary: renderIps(found.report, found.file) };
}

const stackDebugger: Debugger<[pid: number]> = {
  tool: 'lldb',
  args: (pid) => ['-p', String(pid), '--batch', '-o', 'thread backtrace all', '-o', 'process detach'],
  parser: 'lldb',
  install: LLDB_INSTALL,
};

const coreDebugger: Debugger<[exe: string, core: string]> = {
  tool: 'lldb',
  args: (exe, core) => ['--batch', '-c', core, exe, '-o', 'thread backtrace all'],
  parser: 'lldb',
  install: LLDB_INSTALL,
};

export const darwin: Platform = {
  os: 'darwin',
  process: processInfo,
  processState,
  processes,
  parentPid: async (pid) => (await processInfo(pid))?.ppid,
  processName: async (pid) => (await processInfo(pid))?.name,
  threads,
  fdCount,
  children,
  descendants,
  processesWithEnv,
  processOrigin,
  // macOS has no cgroups: a target's helpers are found by its marker and its process tree only.
  containment: () => ({
    ok: false,
    why: 'macOS has no cgroups',
    fix: 'none on macOS: hilt finds what a target started by its marker (ps -E) and its process tree (ps)',
  }),
  newGroup: unsupported('darwin', 'a process group kept together', 'nothing on macOS: no cgroups; a launchd job comes closest'),
  // Nothing before the target: macOS reports every crash by itself (crashReport). A core would go to
  // /cores (kern.corefile), not the core folder, be gigabytes, and needs get-task-allow on macOS 12+.
  coreLaunchPrefix: () => [],
  corePattern: async () => {
    const r = await runMacTool('sysctl', ['-n', 'kern.corefile'], SYSTEM).catch(() => undefined);
    return r?.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : '/cores/core.%P (kern.corefile unreadable)';
  },
  isCoreFile: (name) => /^core(\.\d+)?$/.test(name),
  coreDebugger: () => coreDebugger,
  crashReport,
  stackDebugger: () => stackDebugger,
  pythonStackDebugger: unsupported(
    'darwin',
    'Python stacks of a live process',
    "`py-spy dump --pid PID` (needs root on macOS) or lldb with CPython's lldb scripts, each with a parser of its own",
  ),
  resourceLimits,
  // Same script as Linux: it needs only bash 3.2 (no associative arrays), kill and rm.
  reaperArgv: () => ['bash', REAPER],
  killTree,
  askToStop: no('Ctrl+Break or WM_CLOSE', 'a signal: macOS programs are asked to stop by SIGTERM or SIGINT (stop.method "signal")'),
  exitStatus: () => undefined, // a macOS exit code is the program's own; death by signal comes separately
};
