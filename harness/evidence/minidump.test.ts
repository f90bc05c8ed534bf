// The minidump reader on a dump composed here, byte by byte, to the documented layout (MINIDUMP_HEADER,
// a stream directory, MINIDUMP_EXCEPTION_STREAM, MINIDUMP_MODULE_LIST); a real one, written by hilt's
// launcher under Wine, is read by scenarios/windows-node.test.ts.
import { describe, expect, test } from 'vitest';
import { composedDump } from './composed-minidump.ts';
import { crashLine, readMinidumpCrash } from './minidump.ts';

describe('readMinidumpCrash', () => {
  test('an access violation: code, its name, the write at 0x0, the module and offset, the thread', () => {
    const c = readMinidumpCrash(composedDump({ code: 0xc0000005, address: 0x140005fdcn, params: [1n, 0n] }))!;
    expect(c).toMatchObject({ code: 0xc0000005, name: 'STATUS_ACCESS_VIOLATION', threadId: 196, access: { op: 'write', at: 0n } });
    expect(crashLine(c)).toBe('0xC0000005 STATUS_ACCESS_VIOLATION (write at 0x0) at hilt-engine-win.exe+0x5FDC on thread 196');
  });

  test('an address outside every module is said as the address itself; a breakpoint has no access', () => {
    const c = readMinidumpCrash(composedDump({ code: 0x80000003, address: 0x7ff000001234n }))!;
    expect(c.access).toBeUndefined();
    expect(crashLine(c)).toMatch(/^0x80000003( STATUS_BREAKPOINT)? at 0x7FF000001234 on thread 196$/);
  });

  test('not a minidump, or one cut short: undefined, not a throw', () => {
    expect(readMinidumpCrash(Buffer.from('ELF\x7f and more bytes than thirty-two.....'))).toBeUndefined();
    expect(readMinidumpCrash(composedDump({ code: 0xc0000005, address: 1n }).subarray(0, 60))).toBeUndefined();
  });
});
