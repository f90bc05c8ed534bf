import { describe, expect, it } from 'vitest';
import { classifyExit, signalName, signalNumber, windowsExitText } from './exit.ts';

const linux = (r: Parameters<typeof classifyExit>[0]) => classifyExit({ platform: 'linux', ...r });
const win = (exitCode: number) => classifyExit({ platform: 'win32', exitCode });

describe('signal numbering', () => {
  it('maps names to Linux numbers and back, with aliases', () => {
    expect(signalNumber('SIGKILL')).toBe(9);
    expect(signalNumber('SIGSEGV')).toBe(11);
    expect(signalNumber('segv')).toBe(11);
    expect(signalNumber('SIGIOT')).toBe(6);
    expect(signalNumber('SIGNOPE')).toBeUndefined();
    expect(signalName(6)).toBe('SIGABRT');
    expect(signalName(15)).toBe('SIGTERM');
    expect(signalName(31)).toBe('SIGSYS');
    expect(signalName(0)).toBeUndefined();
    expect(signalName(64)).toBeUndefined();
  });

  it('round-trips every number 1..31', () => {
    for (let n = 1; n <= 31; n++) expect(signalNumber(signalName(n)!)).toBe(n);
  });
});

describe('classifyExit: timeouts, signals, POSIX codes', () => {
  it('timedOut wins over everything else', () => {
    const c = linux({ timedOut: true, signal: 'SIGKILL', exitCode: null });
    expect(c).toMatchObject({ kind: 'timeout', crash: false, signal: 'SIGKILL' });
    expect(c.description).toMatch(/timed out.*SIGKILL/);
  });

  it('termination signals are kind signal, not crash', () => {
    for (const s of ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGPIPE', 'SIGUSR1', 'SIGUSR2', 'SIGALRM']) {
      expect(linux({ signal: s, exitCode: null })).toMatchObject({ kind: 'signal', crash: false, name: s, signal: s });
    }
    expect(linux({ signal: 'SIGKILL' }).description).toMatch(/killed/);
  });

  it('core-dumping signals are crashes, including SIGQUIT', () => {
    for (const s of ['SIGSEGV', 'SIGABRT', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGTRAP', 'SIGSYS', 'SIGQUIT']) {
      expect(linux({ signal: s })).toMatchObject({ kind: 'crash', crash: true, name: s });
    }
    expect(linux({ signal: 'SIGSEGV' }).description).toBe('segmentation fault (invalid memory access)');
    expect(linux({ signal: 'SIGIOT' }).name).toBe('SIGABRT');
  });

  it('a signal reported on win32 (child.kill) is still a signal', () => {
    expect(classifyExit({ platform: 'win32', signal: 'SIGTERM', exitCode: null }).kind).toBe('signal');
  });

  it('exit 0 is clean, other codes are errors', () => {
    expect(linux({ exitCode: 0 })).toMatchObject({ kind: 'clean', name: 'exit 0', crash: false });
    expect(linux({ exitCode: 1 })).toMatchObject({ kind: 'error', name: 'exit 1', code: 1, crash: false });
  });

  it('128+N through a shell is signal N', () => {
    const segv = linux({ exitCode: 139, viaShell: true });
    expect(segv).toMatchObject({ kind: 'crash', crash: true, name: 'SIGSEGV', signal: 'SIGSEGV', code: 139 });
    expect(segv.description).toMatch(/reported by a shell as 128\+11/);
    expect(linux({ exitCode: 134, viaShell: true })).toMatchObject({ kind: 'crash', name: 'SIGABRT' });
    expect(linux({ exitCode: 137, viaShell: true })).toMatchObject({ kind: 'signal', crash: false, name: 'SIGKILL' });
    expect(linux({ exitCode: 143, viaShell: true })).toMatchObject({ kind: 'signal', name: 'SIGTERM' });
  });

  it('128+N without a shell, or outside 129..159, stays an exit code', () => {
    expect(linux({ exitCode: 139 })).toMatchObject({ kind: 'error', name: 'exit 139', signal: null });
    expect(linux({ exitCode: 128, viaShell: true })).toMatchObject({ kind: 'error', name: 'exit 128' });
    expect(linux({ exitCode: 160, viaShell: true })).toMatchObject({ kind: 'error', name: 'exit 160' });
  });

  it('nothing reported is unknown', () => {
    expect(linux({})).toMatchObject({ kind: 'unknown', crash: false, code: null, signal: null });
  });
});

describe('classifyExit: Windows NTSTATUS', () => {
  it('access violation arrives unsigned or signed', () => {
    for (const code of [3221225477, -1073741819]) {
      expect(win(code)).toMatchObject({
        kind: 'crash',
        crash: true,
        code: 0xc0000005,
        name: 'STATUS_ACCESS_VIOLATION (0xC0000005)',
      });
    }
  });

  it('names each tabled crash status with its hex', () => {
    const table: [number, string][] = [
      [0xc0000374, 'STATUS_HEAP_CORRUPTION'],
      [0xc0000409, 'STATUS_STACK_BUFFER_OVERRUN'],
      [0x80000003, 'STATUS_BREAKPOINT'],
      [0xc000001d, 'STATUS_ILLEGAL_INSTRUCTION'],
      [0xc0000094, 'STATUS_INTEGER_DIVIDE_BY_ZERO'],
      [0xc00000fd, 'STATUS_STACK_OVERFLOW'],
      [0xc0000096, 'STATUS_PRIVILEGED_INSTRUCTION'],
      [0xc0000006, 'STATUS_IN_PAGE_ERROR'],
      [0xc0000008, 'STATUS_INVALID_HANDLE'],
      [0xc0000420, 'STATUS_ASSERTION_FAILURE'],
      [0xc0000602, 'STATUS_FAIL_FAST_EXCEPTION'],
      [0xc000008e, 'STATUS_FLOAT_DIVIDE_BY_ZERO'],
      [0xc000008f, 'STATUS_FLOAT_INEXACT_RESULT'],
      [0xc0000090, 'STATUS_FLOAT_INVALID_OPERATION'],
      [0xc0000091, 'STATUS_FLOAT_OVERFLOW'],
      [0xc0000092, 'STATUS_FLOAT_STACK_CHECK'],
      [0xc0000093, 'STATUS_FLOAT_UNDERFLOW'],
    ];
    for (const [code, name] of table) {
      const hex = `0x${code.toString(16).toUpperCase()}`;
      expect(win(code)).toMatchObject({ kind: 'crash', crash: true, name: `${name} (${hex})` });
      expect(win(code | 0).name).toBe(`${name} (${hex})`); // signed form
    }
  });

  it('Ctrl-C and debugger termination are signals, not crashes', () => {
    expect(win(0xc000013a)).toMatchObject({ kind: 'signal', crash: false, name: 'STATUS_CONTROL_C_EXIT (0xC000013A)' });
    expect(win(0x40010004)).toMatchObject({ kind: 'signal', crash: false, name: 'DBG_TERMINATE_PROCESS (0x40010004)' });
  });

  it('missing or failing DLLs are named errors, not crashes', () => {
    expect(win(0xc0000135)).toMatchObject({ kind: 'error', crash: false, name: 'STATUS_DLL_NOT_FOUND (0xC0000135)' });
    expect(win(0xc0000142)).toMatchObject({ kind: 'error', crash: false, name: 'STATUS_DLL_INIT_FAILED (0xC0000142)' });
  });

  it('exit 3 is "exit 3"; abort() (a crash) only where the C runtime said it aborted', () => {
    expect(win(3)).toMatchObject({ kind: 'error', crash: false, name: 'exit 3' });
    const said = ['This application has requested the Runtime to terminate it in an unusual way.'];
    expect(classifyExit({ exitCode: 3, platform: 'win32', said })).toMatchObject({ kind: 'crash', crash: true, name: 'abort() (exit 3)' });
    expect(classifyExit({ exitCode: 3, platform: 'win32', said: ['R6010 - abort() has been called'] }).crash).toBe(true);
    expect(classifyExit({ exitCode: 4, platform: 'win32', said }).name).toBe('exit 4');
    expect(linux({ exitCode: 3 }).kind).toBe('error');
  });

  it('unknown 0xC... statuses are crashes named by hex; small codes are errors; 0 is clean', () => {
    expect(win(0xc0001234)).toMatchObject({ kind: 'crash', crash: true, name: 'NTSTATUS 0xC0001234' });
    expect(win(0)).toMatchObject({ kind: 'clean', name: 'exit 0' });
    expect(win(1)).toMatchObject({ kind: 'error', name: 'exit 1', crash: false });
    expect(classifyExit({ platform: 'win32', exitCode: 137, viaShell: true }).kind).toBe('error');
  });
});

describe('windowsExitText', () => {
  it("says a Windows crash the way seed 000's postmortem quotes it", () => {
    expect(windowsExitText(classifyExit({ exitCode: 3221225477, platform: 'win32' }))).toBe(
      'access violation (0xC0000005, exit code 3221225477)',
    );
    expect(windowsExitText(classifyExit({ exitCode: -1073741819, platform: 'win32' }))).toMatch(/\(0xC0000005, exit code 3221225477\)$/);
  });
  it('nothing for a clean exit, a small code, or a Linux signal', () => {
    expect(windowsExitText(classifyExit({ exitCode: 0, platform: 'win32' }))).toBeUndefined();
    expect(windowsExitText(classifyExit({ exitCode: 5, platform: 'win32' }))).toBeUndefined();
    expect(windowsExitText(classifyExit({ signal: 'SIGSEGV' }))).toBeUndefined();
  });
});
