// macOS: live stacks by lldb and the bash reaper exist; every other fact throws
// PLATFORM_UNSUPPORTED naming the macOS API that would implement it.
import { join } from 'node:path';
import { ROOT } from '../root.ts';
import type { Debugger, Platform } from './platform.ts';
import { unsupported, unsupportedAsync } from './unsupported.ts';

const REAPER = join(ROOT, 'harness/platform/reaper.sh'); // a file of the sources, also when hilt runs compiled
const no = (fact: string, would: string) => unsupportedAsync('darwin', fact, would);
const noSync = (fact: string, would: string) => unsupported('darwin', fact, would);
const PS = '`ps -o pid=,ppid=,stat=,comm= -p PID` or `proc_pidinfo(PROC_PIDTBSDINFO)`';

const stackDebugger: Debugger<[pid: number]> = {
  tool: 'lldb',
  args: (pid) => ['-p', String(pid), '--batch', '-o', 'thread backtrace all', '-o', 'process detach'],
  parser: 'lldb',
  install: 'xcode-select --install (lldb comes with the Command Line Tools)',
};

export const darwin: Platform = {
  os: 'darwin',
  process: no('process facts (name, parent, state)', PS),
  processState: no('process state (alive, zombie, gone)', PS),
  processes: no('the process list', '`ps -axo pid=,ppid=,stat=,comm=` or `proc_listallpids`'),
  parentPid: no("a process's parent pid", PS),
  processName: no("a process's name", `${PS} or \`proc_name\``),
  threads: no('process threads', '`proc_pidinfo(PROC_PIDLISTTHREADS)` + `PROC_PIDTHREADINFO` for names, or `ps -M -p PID`'),
  fdCount: no("a process's open descriptor count", '`proc_pidinfo(PROC_PIDLISTFDS)` or `lsof -p PID`'),
  children: no("a process's children", '`proc_listchildpids` or `pgrep -P PID`'),
  descendants: no("a process's descendants", '`proc_listchildpids` walked down the tree, or `pgrep -P` repeated'),
  processesWithEnv: no(
    'processes carrying an environment marker',
    '`ps -Eww -axo pid=,command=` (only your own processes) or `sysctl KERN_PROCARGS2`',
  ),
  processOrigin: no("a process's command line, session and environment", '`ps -o sess=,ppid=,command= -p PID` or `sysctl KERN_PROCARGS2`'),
  // macOS has no cgroups: a target's helpers are found by its marker and its process tree only.
  containment: () => ({
    ok: false,
    why: 'macOS has no cgroups',
    fix: 'none on macOS: hilt finds what a target started by its marker and its process tree (not yet implemented there)',
  }),
  newGroup: noSync('a process group kept together', 'nothing on macOS: no cgroups; a launchd job comes closest'),
  coreLaunchPrefix: noSync(
    'core dumps of a launched target',
    '`sh -c \'ulimit -c unlimited; exec "$@"\' --` (cores go to /cores, see kern.corefile)',
  ),
  corePattern: no('where cores are written', '`sysctl -n kern.corefile` (default /cores/core.%P)'),
  isCoreFile: noSync('recognising a core file', 'the kern.corefile pattern (core.<pid>)'),
  coreDebugger: noSync('reading a core', "`lldb --batch -c CORE EXE -o 'thread backtrace all'` read by the lldb parser"),
  stackDebugger: () => stackDebugger,
  pythonStackDebugger: noSync('Python stacks of a live process', "`lldb` with CPython's lldb scripts, or `py-spy dump --pid PID`"),
  resourceLimits: no(
    "a process's resource limits",
    "`getrlimit` inside the target (macOS shows no other process's limits) or `launchctl limit`",
  ),
  // Same script as Linux: it needs only bash 3.2 (no associative arrays), kill and rm.
  reaperArgv: () => ['bash', REAPER],
  killTree: no('killing a process tree', '`pgrep -P` walked down the tree, then `kill -KILL` children first'),
  askToStop: no('Ctrl+Break or WM_CLOSE', 'a signal, or AppleScript `quit` for an app'),
  exitStatus: () => undefined, // a macOS exit code is the program's own; death by signal comes separately
};
