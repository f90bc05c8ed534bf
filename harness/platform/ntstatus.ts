// Windows' names for the exit codes of a process that died of an unhandled exception or was
// stopped (NTSTATUS): what win32.ts answers for exitStatus(), and what exit.ts turns into verdicts.
import type { NamedExit } from './platform.ts';

// NTSTATUS exit codes seen when a Windows process dies of an unhandled exception or is stopped.
const NTSTATUS: Record<number, [string, NamedExit['kind'], string]> = {
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

// The named NTSTATUS for an exit code (signed or unsigned 32-bit), if Windows names it.
export function ntStatus(code: number): NamedExit | undefined {
  const known = NTSTATUS[code >>> 0];
  return known && { name: known[0], kind: known[1], description: known[2] };
}
