import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ownFrames, parseGdbStacks } from './gdb-stacks.ts';

// Recorded from a real core: hilt-engine's `crash segv audio` (issue 3's crash scenario).
const recorded = readFileSync(new URL('./recorded/gdb-core-segv-audio-thread.txt', import.meta.url), 'utf8');

describe('parseGdbStacks', () => {
  test("a core: the signal, the thread that took it, and every thread's frames", () => {
    const s = parseGdbStacks(recorded);
    expect(s.signal).toBe('SIGSEGV');
    expect(s.current).toBe(1);
    expect(s.threads.map((t) => t.id)).toEqual([1, 2, 3]);
    const crashed = s.threads.find((t) => t.id === s.current)!;
    expect(crashed.lwp).toBe(24646);
    expect(crashed.frames[0]!.fn).toMatch(/^hilt::crashNow\(/);
    expect(crashed.frames.find((f) => f.fn === 'pa_mainloop_run')?.from).toBe('libpulse.so.0');
    expect(s.threads[2]!.frames.map((f) => f.fn)).toEqual([
      '__GI___poll',
      '(anonymous namespace)::serve(int, hilt::TapEngine&, (anonymous namespace)::Worker&)',
      'main',
    ]);
  });

  test("own frames skip libc's wait and signal machinery", () => {
    const s = parseGdbStacks(recorded);
    expect(ownFrames(s.threads[2]!)).toEqual([
      '(anonymous namespace)::serve(int, hilt::TapEngine&, (anonymous namespace)::Worker&)',
      'main',
    ]);
    expect(ownFrames(s.threads[1]!)).toEqual([]);
  });

  test('a live process with thread names, argument lists and source locations', () => {
    const text = [
      '  Id   Target Id                                   Frame ',
      '* 1    Thread 0x7f0000001000 (LWP 100) "node"      0x00007f in epoll_wait () from /lib/x86_64-linux-gnu/libc.so.6',
      '  2    Thread 0x7f0000002000 (LWP 101) "hilt-vm"   __futex_abstimed_wait_common64 (private=0) at ./nptl/futex-internal.c:57',
      '',
      'Thread 2 (Thread 0x7f0000002000 (LWP 101) "hilt-vm"):',
      '#0  __futex_abstimed_wait_common64 (private=0, cancel=true) at ./nptl/futex-internal.c:57',
      '#1  0x00007f in vmLoop(VmState*) () from /work/native/build/Release/hilt_engine.node',
      '',
      'Thread 1 (Thread 0x7f0000001000 (LWP 100) "node"):',
      '#0  0x00007f in epoll_wait () from /lib/x86_64-linux-gnu/libc.so.6',
      '#1  0x0000000001 in uv__io_poll (loop=0x1, timeout=-1) at ../deps/uv/src/unix/linux.c:1432',
      '',
    ].join('\n');
    const s = parseGdbStacks(text);
    expect(s.signal).toBeUndefined();
    expect(s.threads.map((t) => [t.id, t.name])).toEqual([
      [1, 'node'],
      [2, 'hilt-vm'],
    ]);
    expect(s.threads[0]!.frames).toEqual([{ fn: 'epoll_wait', from: 'libc.so.6' }, { fn: 'uv__io_poll' }]);
    expect(s.threads[1]!.frames[1]).toEqual({ fn: 'vmLoop(VmState*)', from: 'hilt_engine.node' });
  });

  test('output with no stacks (gdb could not read the core) gives no threads', () => {
    expect(parseGdbStacks('/tmp/core: No such file or directory.\n').threads).toEqual([]);
  });
});

describe('a core gdb reads without thread_db', () => {
  test('reads "Thread 1 (LWP n):" (a process killed while the loader was still mapping libc)', () => {
    const text = [
      'Program terminated with signal SIGSEGV, Segmentation fault.',
      'Thread 1 (LWP 20303):',
      '#0  __GI___open64_nocancel (file=0x7f80 "/lib/x86_64-linux-gnu/libc.so.6") at ../sysdeps/unix/sysv/linux/open64_nocancel.c:39',
      '#1  0x00007f80c4ad0e4c in open_verify (name=0x7f80) at ./elf/dl-load.c:1629',
      '',
    ].join('\n');
    const s = parseGdbStacks(text);
    expect(s.signal).toBe('SIGSEGV');
    expect(s.threads).toHaveLength(1);
    expect(s.threads[0]).toMatchObject({ id: 1, lwp: 20303 });
    expect(s.threads[0]!.frames.length).toBe(2);
  });
});
