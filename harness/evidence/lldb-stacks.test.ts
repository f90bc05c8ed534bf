import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseLldbStacks } from './lldb-stacks.ts';

// Recorded on Linux (lldb 14) from a live process: three named threads in poll() on a pipe and the
// main thread in std::thread::join() under hilt::KernelServer::stop(), attached with
// `lldb -p PID --batch -o "thread backtrace all" -o "process detach"` (stdout, verbatim).
const recorded = readFileSync(new URL('./recorded/lldb-live-poll-join.txt', import.meta.url), 'utf8');

describe('parseLldbStacks', () => {
  test('a live attach: every thread once, with its name and full backtrace', () => {
    const s = parseLldbStacks(recorded);
    expect(s.signal).toBeUndefined(); // the attach's SIGSTOP is not a crash
    expect(s.current).toBe(1);
    expect(s.threads.map((t) => [t.id, t.name])).toEqual([
      [1, 'hilt-kernel'],
      [2, 'kernel-shell'],
      [3, 'kernel-control'],
      [4, 'kernel-hb'],
    ]);
    const main = s.threads[0]!.frames;
    expect(main.length).toBe(9); // the full backtrace, not the one-frame attach summary
    const join = main.findIndex((f) => f.fn === 'std::thread::join()');
    expect(main[join]!.from).toBe('libstdc++.so.6');
    expect(main[join + 1]).toEqual({ fn: 'hilt::KernelServer::stop', from: 'hilt-kernel' });
    for (const t of s.threads.slice(1)) {
      expect(t.frames[0]).toEqual({ fn: '__GI___poll', from: 'libc.so.6' });
      expect(t.frames[1]).toEqual({ fn: 'hilt::serve', from: 'hilt-kernel' });
    }
  });

  test("names read like gdb's: no argument values, return types or offsets", () => {
    const fns = parseLldbStacks(recorded).threads[1]!.frames.map((f) => f.fn);
    expect(fns).toContain('std::thread::_Invoker<std::tuple<void (*)(int, char const*), int, char const*> >::operator()');
    expect(fns).toContain('std::__invoke_impl<void, void (*)(int, char const*), int, char const*>');
    expect(fns).toContain('??'); // ___lldb_unnamed_symbol7808, which gdb shows as ??
    expect(fns.at(-1)).toBe('__clone3');
  });

  test('a macOS core: thread ids, queues, inlined frames and the crash reason', () => {
    const text = [
      '(lldb) thread backtrace all',
      "* thread #1, queue = 'com.apple.main-thread', stop reason = EXC_BAD_ACCESS (code=1, address=0x0)",
      '  * frame #0: 0x0000000100003f40 hilt-kernel`hilt::crashNow(why="x") at crash.cpp:12:5 [opt]',
      '    frame #1: 0x0000000100003f80 hilt-kernel`main [inlined] hilt::run() at main.cpp:9:3',
      '    frame #2: 0x000000018f2c0274 dyld`start + 2840',
      "  thread #2, tid = 0x1a2b, name = 'kernel-hb'",
      '    frame #0: 0x000000018f5f9ea4 libsystem_kernel.dylib`__psynch_cvwait + 8',
      '    frame #1: 0x000000018f6353f8 libsystem_pthread.dylib`_pthread_join + 608',
      '    frame #2: 0x000000018f56a0d8 libc++.1.dylib`std::__1::thread::join() + 36',
      '    frame #3: 0x0000000100004000 hilt-kernel`hilt::Loop::operator()() const + 12',
      '    frame #4: 0x0000000000000000',
      '(lldb) process detach',
    ].join('\n');
    const s = parseLldbStacks(text);
    expect(s.signal).toBe('EXC_BAD_ACCESS');
    expect(s.current).toBe(1);
    expect(s.threads[0]!.name).toBeUndefined();
    expect(s.threads[0]!.frames.map((f) => f.fn)).toEqual(['hilt::crashNow', 'hilt::run', 'start']);
    expect(s.threads[1]).toMatchObject({ id: 2, lwp: 0x1a2b, name: 'kernel-hb' });
    expect(s.threads[1]!.frames).toEqual([
      { fn: '__psynch_cvwait', from: 'libsystem_kernel.dylib' },
      { fn: '_pthread_join', from: 'libsystem_pthread.dylib' },
      { fn: 'std::__1::thread::join()', from: 'libc++.1.dylib' },
      { fn: 'hilt::Loop::operator()() const', from: 'hilt-kernel' },
      { fn: '??' },
    ]);
  });

  test('a Linux core: the signal comes from the stop reason', () => {
    const s = parseLldbStacks(
      "* thread #1, name = 'hilt-engine', stop reason = signal SIGSEGV\n" +
        '  * frame #0: 0x1 hilt-engine`hilt::crashNow(std::string const&) + 26\n',
    );
    expect(s.signal).toBe('SIGSEGV');
    expect(s.threads[0]!.frames).toEqual([{ fn: 'hilt::crashNow(std::string const&)', from: 'hilt-engine' }]);
  });

  test('output with no threads (lldb could not attach) gives no threads', () => {
    expect(parseLldbStacks('error: attach failed: Operation not permitted\n').threads).toEqual([]);
  });
});
