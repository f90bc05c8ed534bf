// What a Windows minidump says of its crash without a debugger: the exception stream (code, address,
// thread, an access violation's read or write address) and the module the address falls in. Enough
// to say where a program died when cdb is not installed; cdb reads every thread's stack. Pure.
import { ntStatus } from '../platform/ntstatus.ts';

export interface MinidumpCrash {
  code: number;
  name?: string; // the NTSTATUS's name, where hilt knows it
  address: bigint;
  threadId: number;
  access?: { op: 'read' | 'write' | 'execute'; at: bigint }; // an access violation's own parameters
  module?: { name: string; offset: bigint }; // the module the address is in
}

const STREAM_MODULES = 4;
const STREAM_EXCEPTION = 6;
const MODULE_SIZE = 108; // MINIDUMP_MODULE, packed

// undefined: not a minidump, or one without an exception stream (a dump of a live process).
export function readMinidumpCrash(b: Buffer): MinidumpCrash | undefined {
  if (b.length < 32 || b.toString('latin1', 0, 4) !== 'MDMP') return undefined;
  const streams = new Map<number, { size: number; rva: number }>();
  const count = b.readUInt32LE(8);
  const dir = b.readUInt32LE(12);
  for (let i = 0; i < count && dir + i * 12 + 12 <= b.length; i++) {
    const at = dir + i * 12;
    streams.set(b.readUInt32LE(at), { size: b.readUInt32LE(at + 4), rva: b.readUInt32LE(at + 8) });
  }
  const ex = streams.get(STREAM_EXCEPTION);
  if (!ex || ex.rva + 48 > b.length) return undefined;
  const threadId = b.readUInt32LE(ex.rva);
  const rec = ex.rva + 8; // MINIDUMP_EXCEPTION, after ThreadId and its alignment
  const code = b.readUInt32LE(rec);
  const address = b.readBigUInt64LE(rec + 16);
  const params = b.readUInt32LE(rec + 24);
  const crash: MinidumpCrash = { code, address, threadId };
  const name = ntStatus(code)?.name;
  if (name) crash.name = name;
  if (code === 0xc0000005 && params >= 2 && rec + 48 <= b.length) {
    const op = Number(b.readBigUInt64LE(rec + 32));
    crash.access = { op: op === 1 ? 'write' : op === 8 ? 'execute' : 'read', at: b.readBigUInt64LE(rec + 40) };
  }
  const modules = streams.get(STREAM_MODULES);
  if (modules && modules.rva + 4 <= b.length) {
    const n = b.readUInt32LE(modules.rva);
    for (let i = 0; i < n; i++) {
      const m = modules.rva + 4 + i * MODULE_SIZE;
      if (m + MODULE_SIZE > b.length) break;
      const base = b.readBigUInt64LE(m);
      const size = BigInt(b.readUInt32LE(m + 8));
      if (address < base || address >= base + size) continue;
      crash.module = { name: moduleName(b, b.readUInt32LE(m + 20)), offset: address - base };
      break;
    }
  }
  return crash;
}

// A MINIDUMP_STRING (byte length, then UTF-16), reduced to the file's own name.
function moduleName(b: Buffer, rva: number): string {
  if (rva + 4 > b.length) return '?';
  const len = b.readUInt32LE(rva);
  const full = b.toString('utf16le', rva + 4, Math.min(b.length, rva + 4 + len));
  return full.split(/[\\/]/).pop() ?? full;
}

const hex = (n: bigint | number) => `0x${n.toString(16).toUpperCase()}`;

// One line people read: "0xC0000005 STATUS_ACCESS_VIOLATION (write at 0x0) at hilt-engine-win.exe+0x5FDC on thread 196".
export function crashLine(c: MinidumpCrash): string {
  const code = `0x${c.code.toString(16).toUpperCase().padStart(8, '0')}`;
  const access = c.access ? ` (${c.access.op} at ${hex(c.access.at)})` : '';
  const where = c.module ? `${c.module.name}+${hex(c.module.offset)}` : hex(c.address);
  return `${code}${c.name ? ` ${c.name}` : ''}${access} at ${where} on thread ${c.threadId}`;
}
