// One table that turns how a process ended (signal, exit code, NTSTATUS) into a verdict word and
// a human description, so every platform reports crashes the same way.
import { platformFor } from '../platform/index.ts';

export type ExitKind = 'clean' | 'error' | 'signal' | 'crash' | 'timeout' | 'unknown';

export interface ExitClass {
  kind: ExitKind;
  code: number | null; // win32: the NTSTATUS as unsigned 32-bit
  signal: string | null;
  name: string; // 'SIGSEGV', 'exit 0', 'STATUS_ACCESS_VIOLATION (0xC0000005)'
  description: string;
  crash: boolean;
}

export interface ExitReport {
  exitCode?: number | null;
  signal?: string | null;
  timedOut?: boolean;
  platform?: NodeJS.Platform;
  viaShell?: boolean; // the code came through a shell, which reports death by signal N as 128+N
  said?: readonly string[]; // its last output lines: on Windows, exit 3 is abort() only where it says so
}

// What the C runtimes print when abort() ends a program on Windows (MSVC's CRT; msvcrt's, which
// mingw-w64 programs use): the only evidence that an exit 3 was an abort and not a plain exit(3).
const ABORT_SAID = /abort\(\) has been called|requested the Runtime to terminate it in an unusual way/i;

// Linux numbering; aliases come after the canonical name so signalName() picks the canonical one.
const SIGNALS: [string, number][] = [
  ['SIGHUP', 1],
  ['SIGINT', 2],
  ['SIGQUIT', 3],
  ['SIGILL', 4],
  ['SIGTRAP', 5],
  ['SIGABRT', 6],
  ['SIGIOT', 6],
  ['SIGBUS', 7],
  ['SIGFPE', 8],
  ['SIGKILL', 9],
  ['SIGUSR1', 10],
  ['SIGSEGV', 11],
  ['SIGUSR2', 12],
  ['SIGPIPE', 13],
  ['SIGALRM', 14],
  ['SIGTERM', 15],
  ['SIGSTKFLT', 16],
  ['SIGCHLD', 17],
  ['SIGCONT', 18],
  ['SIGSTOP', 19],
  ['SIGTSTP', 20],
  ['SIGTTIN', 21],
  ['SIGTTOU', 22],
  ['SIGURG', 23],
  ['SIGXCPU', 24],
  ['SIGXFSZ', 25],
  ['SIGVTALRM', 26],
  ['SIGPROF', 27],
  ['SIGWINCH', 28],
  ['SIGIO', 29],
  ['SIGPOLL', 29],
  ['SIGPWR', 30],
  ['SIGSYS', 31],
];

// Signals whose default action dumps core: the program hit a bug (or asked to die with a core).
const CRASH_SIGNALS: Record<string, string> = {
  SIGSEGV: 'segmentation fault (invalid memory access)',
  SIGABRT: 'aborted (abort(), failed assertion or fatal runtime error)',
  SIGBUS: 'bus error (misaligned or unmapped memory access)',
  SIGILL: 'illegal instruction',
  SIGFPE: 'arithmetic exception (e.g. integer divide by zero)',
  SIGTRAP: 'trace/breakpoint trap (debug trap or __builtin_trap)',
  SIGSYS: 'bad system call (e.g. blocked by seccomp)',
  SIGQUIT: 'quit with core dump',
};

const TERM_SIGNALS: Record<string, string> = {
  SIGKILL: 'killed (SIGKILL, cannot be caught)',
  SIGTERM: 'terminated (SIGTERM)',
  SIGINT: 'interrupted (SIGINT, e.g. Ctrl-C)',
  SIGHUP: 'hangup (controlling terminal closed)',
  SIGPIPE: 'broken pipe (wrote to a closed pipe or socket)',
  SIGUSR1: 'user-defined signal 1 (not handled)',
  SIGUSR2: 'user-defined signal 2 (not handled)',
  SIGALRM: 'alarm clock (timer expired)',
  SIGXCPU: 'CPU time limit exceeded',
  SIGXFSZ: 'file size limit exceeded',
};

// NTSTATUS names are the Windows platform's fact (harness/platform/ntstatus.ts).

const hex = (n: number) => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;

export function signalNumber(name: string): number | undefined {
  const up = name.toUpperCase();
  const full = up.startsWith('SIG') ? up : `SIG${up}`;
  return SIGNALS.find(([s]) => s === full)?.[1];
}

export function signalName(n: number): string | undefined {
  return SIGNALS.find(([, num]) => num === n)?.[0];
}

function canonical(signal: string): string {
  const n = signalNumber(signal);
  return n === undefined ? signal : signalName(n)!;
}

function bySignal(signal: string, code: number | null, note = ''): ExitClass {
  const name = canonical(signal);
  const crashDesc = CRASH_SIGNALS[name];
  const desc = crashDesc ?? TERM_SIGNALS[name] ?? `terminated by signal ${name}`;
  return {
    kind: crashDesc ? 'crash' : 'signal',
    code,
    signal: name,
    name,
    description: desc + note,
    crash: crashDesc !== undefined,
  };
}

function windows(code: number, said: readonly string[] = []): ExitClass {
  const u = code >>> 0; // NTSTATUS may arrive signed (-1073741819) or unsigned (3221225477)
  const base = { code: u, signal: null };
  if (u === 0) return { ...base, kind: 'clean', name: 'exit 0', description: 'exited successfully', crash: false };
  // The C runtime's abort() exits 3, but so does any exit(3): an abort only where it printed so.
  const aborted = said.find((l) => ABORT_SAID.test(l));
  if (u === 3 && aborted)
    return { ...base, kind: 'crash', name: 'abort() (exit 3)', description: `aborted: it said "${aborted.trim()}"`, crash: true };
  const known = platformFor('win32').exitStatus(u);
  if (known)
    return { ...base, kind: known.kind, name: `${known.name} (${hex(u)})`, description: known.description, crash: known.kind === 'crash' };
  // Severity bits 11 = error: an unhandled exception we have no name for.
  if (u >>> 30 === 3)
    return { ...base, kind: 'crash', name: `NTSTATUS ${hex(u)}`, description: `unhandled exception ${hex(u)}`, crash: true };
  const name = u > 0xffff ? `exit ${hex(u)}` : `exit ${u}`;
  return { ...base, kind: 'error', name, description: `exited with code ${name.slice(5)}`, crash: false };
}

export function classifyExit(r: ExitReport): ExitClass {
  const code = r.exitCode ?? null;
  const signal = r.signal ?? null;
  if (r.timedOut)
    return {
      kind: 'timeout',
      code,
      signal,
      name: 'timeout',
      description: `timed out${signal ? ` (then stopped with ${signal})` : ''}`,
      crash: false,
    };
  if (signal) return bySignal(signal, code);
  if (code === null)
    return { kind: 'unknown', code, signal, name: 'unknown', description: 'no exit code or signal reported', crash: false };
  if ((r.platform ?? process.platform) === 'win32') return windows(code, r.said);
  if (r.viaShell && code > 128 && code <= 128 + 31) {
    const n = code - 128;
    return bySignal(signalName(n)!, code, ` (reported by a shell as 128+${n})`);
  }
  if (code === 0) return { kind: 'clean', code, signal, name: 'exit 0', description: 'exited successfully', crash: false };
  return { kind: 'error', code, signal, name: `exit ${code}`, description: `exited with code ${code}`, crash: false };
}

// "access violation (0xC0000005, exit code 3221225477)": a Windows crash as a postmortem quotes it
// (the exception, its NTSTATUS, and the exit code a test runner printed). Undefined for others.
export function windowsExitText(e: ExitClass): string | undefined {
  if (e.signal || e.code === null || e.code <= 0xffff || !e.crash) return undefined;
  const what = e.description.replace(/\s*\(.*\)$/, '');
  return `${what} (${hex(e.code)}, exit code ${e.code >>> 0})`;
}
