// Each platform's debuggers, as the platform names them, read that debugger's recorded output
// (harness/evidence/recorded/): the argv and the parser belong together.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { platformFor } from '../platform/index.ts';
import { parseStacks } from './stack-parsers.ts';

const recorded = (name: string) => readFileSync(new URL(`./recorded/${name}`, import.meta.url), 'utf8');
const KERNEL_THREADS = ['hilt-kernel', 'kernel-shell', 'kernel-control', 'kernel-hb'];

describe("the platforms' debuggers and their parsers", () => {
  test('linux: gdb on a live attach and on a core', () => {
    const linux = platformFor('linux');
    const live = parseStacks(linux.stackDebugger().parser, recorded('gdb-live-poll-join.txt'));
    expect(live.threads.map((t) => t.name)).toEqual(KERNEL_THREADS);
    const core = parseStacks(linux.coreDebugger().parser, recorded('gdb-core-segv-audio-thread.txt'));
    expect(core.signal).toBe('SIGSEGV');
  });

  test('darwin: lldb on a live attach', () => {
    const s = parseStacks(platformFor('darwin').stackDebugger().parser, recorded('lldb-live-poll-join.txt'));
    expect(s.threads.map((t) => t.name)).toEqual(KERNEL_THREADS);
    expect(s.threads[0]!.frames.some((f) => f.fn === 'hilt::KernelServer::stop')).toBe(true);
  });

  test('win32: cdb on a live attach (hand-composed sample)', () => {
    const s = parseStacks(platformFor('win32').stackDebugger().parser, recorded('cdb-live-poll-join.txt'));
    expect(s.threads.map((t) => t.name)).toEqual([undefined, ...KERNEL_THREADS.slice(1)]);
  });
});
