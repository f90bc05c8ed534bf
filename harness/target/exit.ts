// One table that turns how a process ended (signal, exit code, NTSTATUS) into a verdict word and
// a human description, so every platform reports crashes the same way.

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
}

// Linux numbering; aliases come after the canonical name so signalName() picks the canonical one.
const SIGNALS: [string, number][] = [
  ['SIGHUP', 1], ['SIGINT', 2], ['SIGQUIT', 3], ['SIGILL', 4], ['SIGTRAP', 5], ['SIGABRT', 6],
  ['SIGIOT', 6], ['SIGBUS', 7], ['SIGFPE', 8], ['SIGKILL', 9], ['SIGUSR1', 10], ['SIGSEGV', 11],
  ['SIGUSR2', 12], ['SIGPIPE', 13], ['SIGALRM', 14], ['SIGTERM', 15], ['SIGSTKFLT', 16],
  ['SIGCHLD', 17], ['SIGCONT', 18], ['SIGSTOP', 19], ['SIGTSTP', 20], ['SIGTTIN', 21],
  ['SIGTTOU', 22], ['SIGURG', 23], ['SIGXCPU', 24], ['SIGXFSZ', 25], ['SIGVTALRM', 26],
  ['SIGPROF', 27], ['SIGWINCH', 28], ['SIGIO', 29], ['SIGPOLL', 29], ['SIGPWR', 30], ['SIGSYS', 31],
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

type NtKind = 'crash' | 'signal' | 'error';
// NTSTATUS exit codes seen when a Windows process dies of an unhandled exception or is stopped.
const NTSTATUS: Record<number, [string, NtKind, string]> = {
  0xc0000005: ['STATUS_ACCESS_VIOLATION', 'crash', 'access violation (invalid memory access)'],
  0xc0000006: ['STATUS_IN_PAGE_ERROR', 'crash', 'in-page error (memory-mapped file could not be read)'],
  0xc0000008: ['STATUS_INVALID_HANDLE', 'crash', 'invalid handle used'],
  0xc0000017: ['STATUS_NO_MEMORY', 'crash', 'out of memory'],
  0xc000001d: ['STATUS_ILLEGAL_INSTRUCTION', 'crash', 'illegal instruction'],
  0xc0000025: ['STATUS_NONCONTINUABLE_EXCEPTION', 'crash', 'non-continuable exception'],
  0xc000008c: ['STATUS_ARRAY_BOUNDS_EXCEEDED', 'crash', 'array bounds exceeded'],
  0xc000008d: ['STATUS_FLOAT_DENORMAL_OPERAND', 'crash', 'floating-point denormal operand'],
  0xc000008e: ['STATUS_FLOAT_DIVIDE_BY_ZERO', 'crash', 'floating-point divide by zero'],
  0xc000008f: ['STATUS_FLOAT_INEXACT_RESULT', 'crash', 'floating-point inexact result'],
  0xc0000090: ['STATUS_FLOAT_INVALID_OPERATION', 'crash', 'floating-point invalid operation'],
  0xc0000091: ['STATUS_FLOAT_OVERFLOW', 'crash', 'floating-point overflow'],
  0xc0000092: ['STATUS_FLOAT_STACK_CHECK', 'crash', 'floating-point stack check'],
  0xc0000093: ['STATUS_FLOAT_UNDERFLOW', 'crash', 'floating-point underflow'],
  0xc0000094: ['STATUS_INTEGER_DIVIDE_BY_ZERO', 'crash', 'integer divide by zero'],
  0xc0000095: ['STATUS_INTEGER_OVERFLOW', 'crash', 'integer overflow'],
  0xc0000096: ['STATUS_PRIVILEGED_INSTRUCTION', 'crash', 'privileged instruction'],
  0xc00000fd: ['STATUS_STACK_OVERFLOW', 'crash', 'stack overflow'],
  0xc0000374: ['STATUS_HEAP_CORRUPTION', 'crash', 'heap corruption detected'],
  0xc0000409: ['STATUS_STACK_BUFFER_OVERRUN', 'crash', 'stack buffer overrun or __fastfail (also std::terminate in newer CRTs)'],
  0xc0000420: ['STATUS_ASSERTION_FAILURE', 'crash', 'assertion failure'],
  0xc0000602: ['STATUS_FAIL_FAST_EXCEPTION', 'crash', 'fail-fast exception'],
  0x80000002: ['STATUS_DATATYPE_MISALIGNMENT', 'crash', 'datatype misalignment'],
  0x80000003: ['STATUS_BREAKPOINT', 'crash', 'breakpoint hit with no debugger (__debugbreak / int 3)'],
  0xe06d7363: ['MSVC_CPP_EXCEPTION', 'crash', 'unhandled C++ exception'],
  // The program never ran its own code: a packaging problem, not a crash of the target.
  0xc0000135: ['STATUS_DLL_NOT_FOUND', 'error', 'a required DLL was not found'],
  0xc0000142: ['STATUS_DLL_INIT_FAILED', 'error', 'a DLL initialisation routine failed'],
  0xc000013a: ['STATUS_CONTROL_C_EXIT', 'signal', 'terminated by Ctrl-C / Ctrl-Break'],
  0x40010004: ['DBG_TERMINATE_PROCESS', 'signal', 'terminated by a debugger'],
};

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

function windows(code: number): ExitClass {
  const u = code >>> 0; // NTSTATUS may arrive signed (-1073741819) or unsigned (3221225477)
  const base = { code: u, signal: null };
  if (u === 0) return { ...base, kind: 'clean', name: 'exit 0', description: 'exited successfully', crash: false };
  // The MSVC CRT's abort() exits 3 (after the "abort() has been called" dialog or message).
  if (u === 3)
    return { ...base, kind: 'crash', name: 'abort() (exit 3)', description: 'aborted (abort() exits 3 on Windows)', crash: true };
  const known = NTSTATUS[u];
  if (known) {
    const [n, kind, description] = known;
    return { ...base, kind, name: `${n} (${hex(u)})`, description, crash: kind === 'crash' };
  }
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
  if ((r.platform ?? process.platform) === 'win32') return windows(code);
  if (r.viaShell && code > 128 && code <= 128 + 31) {
    const n = code - 128;
    return bySignal(signalName(n)!, code, ` (reported by a shell as 128+${n})`);
  }
  if (code === 0) return { kind: 'clean', code, signal, name: 'exit 0', description: 'exited successfully', crash: false };
  return { kind: 'error', code, signal, name: `exit ${code}`, description: `exited with code ${code}`, crash: false };
}
