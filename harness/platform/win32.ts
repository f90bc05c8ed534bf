// Windows: process facts and a job object per target through hilt-winproc.exe (win32-proc.ts,
// win32-job.ts), live stacks by cdb, NTSTATUS names. What Windows cannot answer, or hilt does not
// ask yet, throws PLATFORM_UNSUPPORTED naming the API that would implement it.
import { HiltError } from '../errors.ts';
import { ntStatus } from './ntstatus.ts';
import type { Debugger, Platform, ProcessInfo, ProcessOrigin, ProcessState, ThreadInfo } from './platform.ts';
import { unsupported, unsupportedAsync } from './unsupported.ts';
import { JOB_KILL_CODE, jobContainment, JobGroup } from './win32-job.ts';
import {
  EXIT_NOT_FOUND,
  isChildOf,
  parseProcess,
  parseProcesses,
  treeBelow,
  winproc,
  winprocFailed,
  WINPROC,
  WINRUN,
  type WinProcess,
  type WinProcessDetail,
} from './win32-proc.ts';

const no = (fact: string, would: string) => unsupportedAsync('win32', fact, would);
const noSync = (fact: string, would: string) => unsupported('win32', fact, would);

// ps's letters for what Windows says: a live process is R (Windows has no sleeping state to read);
// one that exited while another still holds its object is Z (dead, not yet gone).
const letter = (state: 'alive' | 'exited' | undefined): string => (state === 'exited' ? 'Z' : 'R');

async function list(args: string[]): Promise<WinProcess[]> {
  const r = await winproc(args);
  if (r.exitCode !== 0) throw winprocFailed(args, r);
  return parseProcesses(r.stdout);
}

// undefined: no such process (neither listed nor openable).
async function detail(pid: number): Promise<WinProcessDetail | undefined> {
  const args = ['process', String(pid)];
  const r = await winproc(args);
  if (r.exitCode === EXIT_NOT_FOUND) return undefined;
  const d = r.exitCode === 0 ? parseProcess(r.stdout) : undefined;
  if (!d) throw winprocFailed(args, r);
  return d;
}

async function processInfo(pid: number): Promise<ProcessInfo | undefined> {
  const d = await detail(pid);
  return d && { pid, ppid: d.ppid ?? 0, name: d.name ?? '', state: letter(d.state) };
}

async function processState(pid: number): Promise<ProcessState> {
  const d = await detail(pid);
  return !d ? 'gone' : d.state === 'exited' ? 'zombie' : 'alive';
}

const processes = async (): Promise<ProcessInfo[]> =>
  (await list(['processes'])).map((p) => ({ pid: p.pid, ppid: p.ppid, name: p.name, state: letter(p.state) }));

async function threads(pid: number): Promise<ThreadInfo[] | undefined> {
  const d = await detail(pid);
  if (!d || d.state === 'exited') return undefined;
  return (d.threadIds ?? []).map((tid, i) => ({ tid, name: d.threadNames?.[i] ?? '' }));
}

// GetProcessHandleCount; Wine 8 answers 0 for every process, which is no count at all.
async function fdCount(pid: number): Promise<number | undefined> {
  const d = await detail(pid);
  if (!d || d.state === 'exited') return undefined;
  if (d.handles !== undefined) return d.handles;
  throw new HiltError('PLATFORM_UNSUPPORTED', `a process's open handle count on Windows: ${d.handlesUnavailable ?? 'not answered'}`, {
    expected: 'GetProcessHandleCount to count the handles of a live process',
    seen: d.handlesUnavailable ?? 'no count',
    hint: 'run on Windows itself (Wine does not count handles)',
  });
}

// Children by ppid and creation time: Windows never re-parents, so a ppid may name a process
// that ended long ago and whose pid went to another; a child is never older than its parent.
async function children(pid: number): Promise<number[]> {
  const all = await list(['processes']);
  const parent = all.find((p) => p.pid === pid);
  return parent ? all.filter((p) => isChildOf(p, parent)).map((p) => p.pid) : [];
}

const descendants = async (pid: number): Promise<number[]> => treeBelow(await list(['processes']), pid).map((p) => p.pid);

// The environment block of every process hilt may read (PEB); another user's is skipped.
const processesWithEnv = async (name: string, value: string): Promise<ProcessInfo[]> =>
  (await list(['env-match', `${name}=${value}`]))
    .filter((p) => p.state !== 'exited')
    .map((p) => ({ pid: p.pid, ppid: p.ppid, name: p.name, state: letter(p.state) }));

async function processOrigin(pid: number): Promise<ProcessOrigin | undefined> {
  const d = await detail(pid);
  if (!d) return undefined;
  return { cmdline: d.cmdline ?? `[${d.name ?? pid}]`, sessionId: d.session ?? 0, ppid: d.ppid ?? 0, env: d.env };
}

// Deepest first, so none starts another while its parent is being ended; each by TerminateProcess.
// Ctrl+Break to its console (its process group: the launcher made it one), or WM_CLOSE to its windows.
async function askToStop(pid: number, how: 'ctrl-break' | 'wm-close'): Promise<void> {
  const args = [how === 'ctrl-break' ? 'ctrl-break' : 'close-windows', String(pid)];
  const r = await winproc(args);
  if (r.exitCode === EXIT_NOT_FOUND) {
    const toConsole = how === 'ctrl-break';
    throw new HiltError('TARGET_CONFIG', `${toConsole ? 'Ctrl+Break' : 'WM_CLOSE'} could not be sent to pid ${pid}`, {
      expected: toConsole ? 'a console program (one attached to a console)' : 'a visible top-level window of its',
      seen: r.stderr.trim() || r.stdout.trim(),
      hint: `give its config the stop method that fits it: ${toConsole ? '"wm-close", a windowed program' : '"ctrl-break", a console one'}`,
    });
  }
  if (r.exitCode !== 0) throw winprocFailed(args, r);
}

async function killTree(pid: number): Promise<number[]> {
  const tree = [...(await descendants(pid).catch(() => [] as number[])).reverse(), pid];
  const killed: number[] = [];
  for (const p of tree) {
    if ((await winproc(['kill', String(p), String(JOB_KILL_CODE)])).exitCode === 0) killed.push(p);
  }
  return killed;
}

const stackDebugger: Debugger<[pid: number]> = {
  tool: 'cdb',
  // -pv: noninvasive, the target is suspended while read and resumed on "qd" (quit and detach).
  args: (pid) => ['-p', String(pid), '-pv', '-c', '~*k;qd'],
  parser: 'cdb',
  install: 'install the Debugging Tools for Windows (Windows SDK) and put cdb.exe on PATH',
};

const coreDebugger: Debugger<[exe: string, core: string]> = {
  tool: 'cdb',
  // .ecxr: the faulting thread's context from the dump's exception stream, then every thread's stack.
  args: (_exe, dump) => ['-z', dump, '-c', '.ecxr;~*k;q'],
  parser: 'cdb',
  install: 'install the Debugging Tools for Windows (Windows SDK) and put cdb.exe on PATH, or open the dump in WinDbg',
};

export const win32: Platform = {
  os: 'win32',
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
  // A job object per target, made by the launcher (hilt-winrun --job NAME): see win32-job.ts.
  containment: jobContainment,
  newGroup: (name) => {
    const c = jobContainment();
    if (!c.ok) throw new Error(`no job can be made: ${c.why}`); // callers ask containment() first
    return JobGroup.named(name);
  },
  // hilt's launcher writes <exe>.<pid>.dmp in the target's cwd (the run's core folder) at its first
  // fatal exception, then lets the exception run its course (native/src/win/winrun_dump.cpp).
  coreLaunchPrefix: () => [WINRUN, '--dump-dir', '.'],
  corePattern: () =>
    Promise.resolve(
      "hilt-winrun --dump-dir: <exe>.<pid>.dmp in the run's core folder at the program's first fatal exception " +
        '(access violation, stack overflow, illegal instruction, divide by zero, breakpoint, heap corruption, fast fail)',
    ),
  isCoreFile: (name) => /\.dmp$/i.test(name),
  coreDebugger: () => coreDebugger,
  stackDebugger: () => stackDebugger,
  pythonStackDebugger: noSync('Python stacks of a live process', '`py-spy dump --pid PID`'),
  resourceLimits: no("a process's resource limits", "a Job object's limits (`QueryInformationJobObject`)"),
  // hilt-winproc's reaper mode: the protocol of reaper.sh, each pid held by a handle until hilt ends
  // (its pipe closes or its process ends, whichever it sees first).
  reaperArgv: () => [WINPROC, 'reaper', String(process.pid)],
  killTree,
  askToStop,
  exitStatus: ntStatus,
};
