import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describePyWaits, parsePyBt } from './py-stacks.ts';

// Recorded here: gdb -p PID -batch -ex 'thread apply all py-bt' on a Python program whose main
// thread joins a worker blocked in queue.get() (Debian's python3 3.11 with python3-dbg).
const RECORDED = readFileSync(new URL('./recorded/gdb-py-bt-join.txt', import.meta.url), 'utf8');

describe('py-bt stacks', () => {
  it('reads every thread and its frames, innermost first, with the source line', () => {
    const t = parsePyBt(RECORDED);
    expect(t.map((x) => x.id)).toEqual(['2', '1']);
    expect(t[1]!.frames[0]).toEqual({
      file: '/usr/lib/python3.11/threading.py',
      line: 1132,
      func: '_wait_for_tstate_lock',
      code: 'if lock.acquire(block, timeout):',
    });
    expect(t[1]!.frames.at(-1)).toMatchObject({ file: '/tmp/hang.py', line: 8, func: '<module>', code: 't.join()' });
  });

  it("says which of the program's own lines each thread waits in", () => {
    expect(describePyWaits(parsePyBt(RECORDED))).toBe(
      'thread 2 "python3" at hang.py:4 in worker (q.get()) waiting in wait (threading.py:320); ' +
        'thread 1 "python3" at hang.py:8 in <module> (t.join()) waiting in _wait_for_tstate_lock (threading.py:1132)',
    );
  });

  it('has nothing to say of a gdb without the Python extensions', () => {
    expect(parsePyBt('Thread 1 (Thread 0x7f (LWP 5) "node"):\nUndefined command: "py-bt".  Try "help".\n')).toEqual([]);
  });
});
