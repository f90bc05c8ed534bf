import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ownFrames, parseGdbStacks } from './gdb-stacks.ts';

// Recorded from the same live process as lldb-live-poll-join.txt (three named threads in poll() on a
// pipe, main in std::thread::join() under hilt::KernelServer::stop()), attached with
// `gdb -p PID -batch -nx -ex "info threads" -ex "thread apply all bt"` (stdout, verbatim).
const recorded = readFileSync(new URL('./recorded/gdb-live-poll-join.txt', import.meta.url), 'utf8');

describe('parseGdbStacks on a live attach', () => {
  test('thread names, the join under KernelServer::stop, and poll on top of the others', () => {
    const s = parseGdbStacks(recorded);
    expect(s.signal).toBeUndefined();
    expect(s.threads.map((t) => [t.id, t.lwp, t.name])).toEqual([
      [1, 8996, 'hilt-kernel'],
      [2, 8998, 'kernel-shell'],
      [3, 8999, 'kernel-control'],
      [4, 9000, 'kernel-hb'],
    ]);
    const main = s.threads[0]!.frames;
    const join = main.findIndex((f) => f.fn === 'std::thread::join()');
    expect(main[join]!.from).toBe('libstdc++.so.6');
    expect(main[join + 1]).toEqual({ fn: 'hilt::KernelServer::stop' });
    expect(ownFrames(s.threads[0]!)).toEqual(['std::thread::join()', 'hilt::KernelServer::stop', 'main']);
    for (const t of s.threads.slice(1)) {
      expect(t.frames[0]).toEqual({ fn: '__GI___poll' });
      expect(t.frames[1]).toEqual({ fn: 'hilt::serve' });
    }
  });
});
