// A macOS crash report (.ips) read into the threads and frames gdb-stacks gives, so a crash on
// macOS is diagnosed like a core on Linux: the crashed thread is `current`, its signal `signal`.
import { parseIps } from '../platform/darwin-ips.ts';
import type { Stacks } from './gdb-stacks.ts';

// Threads numbered as Apple's text report does (Thread 0 first); the kernel's thread id is the lwp.
export function parseIpsStacks(text: string): Stacks {
  const r = parseIps(text);
  return {
    threads: r.threads.map((t) => ({
      id: t.index,
      ...(t.id !== undefined && { lwp: t.id }),
      ...((t.name ?? t.queue) && { name: t.name ?? t.queue }),
      frames: t.frames.map((f) => ({ fn: f.symbol ?? '??', from: f.image })),
    })),
    current: r.crashedThread,
    signal: r.signal ?? r.exceptionType,
  };
}
