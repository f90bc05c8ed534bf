// Everything hilt asks of the operating system, behind one object per OS (linux.ts, darwin.ts,
// win32.ts). A fact not implemented on an OS throws PLATFORM_UNSUPPORTED naming what would
// implement it: it never answers empty, because an empty answer reads as "nothing left behind".

export interface ProcessInfo {
  pid: number;
  ppid: number;
  name: string; // as the OS names it (Linux: comm, cut at 15 characters by the kernel)
  state: string; // ps(1)'s letter: R running, S sleeping, D disk wait, T stopped, Z zombie
}

// Alive means running: a zombie has exited already and cannot clean up.
export type ProcessState = 'alive' | 'zombie' | 'gone';

export interface ThreadInfo {
  tid: number;
  name: string; // Linux: comm, cut at 15 characters by the kernel
}

export interface ResourceLimits {
  coreBytes: number | 'unlimited'; // soft RLIMIT_CORE: 0 means a crash leaves no core
  openFiles: number | 'unlimited'; // soft RLIMIT_NOFILE: a descriptor leak hits it
}

// Which parser in harness/evidence reads a debugger's output: named, not imported, so platform
// depends on no harness folder (evidence runs the debuggers and depends on platform).
export type StackParser = 'gdb' | 'lldb' | 'cdb' | 'ips'; // ips: a macOS crash report (JSON), not a debugger's output

// A debugger run as one command whose stdout is every thread's stack.
export interface Debugger<A extends unknown[]> {
  tool: string; // "gdb"
  args: (...a: A) => string[];
  parser: StackParser;
  install: string; // what to install when it is missing
}

// A report the OS itself wrote of a process's crash (macOS: an .ips file in DiagnosticReports).
export interface CrashReport {
  file: string; // its path
  text: string; // as the OS wrote it: read by `parser` into every thread's stack
  parser: StackParser;
  summary: string; // the exception, the signal and the crashed thread's frames, for people
}

// A named exit code (Windows: NTSTATUS); POSIX codes are the program's own and have none.
export interface NamedExit {
  name: string; // 'STATUS_ACCESS_VIOLATION'
  kind: 'crash' | 'signal' | 'error';
  description: string;
}

// Where a target's group can be made, or why not and how to get one.
export type Containment =
  // hilt's own group; a target's is a child of it. kind: what a group is (default cgroup: a
  // folder the reaper removes; a job: an object named under root, held by the target's launcher).
  { ok: true; root: string; kind?: 'cgroup' | 'job' } | { ok: false; why: string; fix: string };

// A target's group: it joins before it execs, so all it ever starts is born inside.
export interface TargetGroup {
  readonly path: string;
  launchPrefix(): string[]; // argv put before the target's command (same pid)
  members(): number[]; // every live process in it now (a zombie is dead already)
  // All at once, then none left. killedAt: when the kill was made, where a tool made it (its start is not the target's dying).
  killAll(deadlineMs: number): Promise<{ ended: boolean; waitedMs: number; killedAt?: number }>;
  freeze(frozen: boolean, deadlineMs: number): Promise<{ ok: boolean; waitedMs: number }>; // every member stopped, or thawed
  remove(): boolean; // an empty group goes; false: still populated
}

// Who a process is, to say how it escaped: its command line, its session, its parent, its environment.
export interface ProcessOrigin {
  cmdline: string; // Windows: as the process was started with it (unquoted parts and all)
  sessionId: number;
  ppid: number;
  env: string[] | undefined; // NAME=value entries; undefined: unreadable
}

export interface Platform {
  readonly os: NodeJS.Platform;

  // Process facts, asked of the OS and never of the target (a hung or dying target cannot answer).
  process(pid: number): Promise<ProcessInfo | undefined>; // undefined: no such process
  processState(pid: number): Promise<ProcessState>; // a zombie is not alive: it cannot clean up
  processes(): Promise<ProcessInfo[]>; // every process: leftovers are found by name, not by our records
  parentPid(pid: number): Promise<number | undefined>; // who reaps it
  processName(pid: number): Promise<string | undefined>;
  threads(pid: number): Promise<ThreadInfo[] | undefined>; // main thread included; undefined: gone
  fdCount(pid: number): Promise<number | undefined>; // open descriptors (a leak shows as growth)
  children(pid: number): Promise<number[]>; // direct children, zombies included
  descendants(pid: number): Promise<number[]>; // the whole tree below pid: helpers a target started
  // Every live (not zombie) process whose environment holds name=value: hilt launches a target
  // with a marker variable, and a setsid or a double fork keeps the environment, so a helper
  // re-parented to init is still found. Processes whose environment is unreadable are skipped.
  processesWithEnv(name: string, value: string): Promise<ProcessInfo[]>;

  // A process's origin (command line, session, parent, environment); undefined: gone.
  processOrigin(pid: number): Promise<ProcessOrigin | undefined>;

  // Containment: a group the OS keeps a target and everything it starts in, whatever they do to
  // their environment, session or parent (Linux: cgroup v2). Asked once; says why not where not.
  containment(): Containment;
  newGroup(name: string): TargetGroup; // under containment()'s root; only when it is ok

  // Core dumps: a crash's stacks, read after the process is gone.
  coreLaunchPrefix(): string[]; // argv put before a target's command so it may dump core in its cwd
  corePattern(): Promise<string>; // where the OS writes cores (said when none was written)
  isCoreFile(name: string): boolean; // a file in the core folder that is a core
  coreDebugger(): Debugger<[exe: string, core: string]>; // every thread's stack from a core
  // Only where the OS reports every crash by itself, with no core asked for (macOS): the report of
  // pid's crash taken at or after sinceMs (ms since 1970); undefined while there is none.
  crashReport?(pid: number, sinceMs: number): Promise<CrashReport | undefined>;

  // Live stacks: where a hung process is stuck, taken before it is killed.
  stackDebugger(): Debugger<[pid: number]>;
  // CPython's own stacks (which Python line each thread waits in) for a hung Python program.
  pythonStackDebugger(): Debugger<[pid: number]>;

  // Resource limits of a running process (a core limit of 0 explains a missing core).
  resourceLimits(pid: number): Promise<ResourceLimits | undefined>;

  // The reaper: a helper that outlives hilt and kills what hilt leaves behind.
  reaperArgv(): string[]; // spawned detached; says "ready", then reads "pid N", "unpid N", "dir PATH" lines on stdin
  killTree(pid: number): Promise<number[]>; // SIGKILL pid and its descendants; the pids signalled
  // A Windows stop request that is not a kill: Ctrl+Break to its console, WM_CLOSE to its windows.
  askToStop(pid: number, how: 'ctrl-break' | 'wm-close'): Promise<void>;

  // Exit statuses the OS gives names to (NTSTATUS), for exit.ts's verdicts.
  exitStatus(code: number): NamedExit | undefined;
}
