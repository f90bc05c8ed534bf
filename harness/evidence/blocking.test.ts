import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { describeWaits, threadWaits } from './blocking.ts';
import { parseCdbStacks } from './cdb-stacks.ts';
import { parseGdbStacks } from './gdb-stacks.ts';
import { parseLldbStacks } from './lldb-stacks.ts';

const recorded = (f: string) => readFileSync(new URL(`./recorded/${f}`, import.meta.url), 'utf8');

// One hung process (main in join under KernelServer::stop, three channel threads in poll) as
// each debugger prints it: the words must come out the same on every platform.
describe('where the threads of a hung process wait', () => {
  const expected =
    'main thread in join (hilt::KernelServer::stop), 3 threads in poll (kernel-shell, kernel-control, kernel-hb: hilt::serve)';

  test('gdb (Linux, recorded)', () => {
    const waits = threadWaits(parseGdbStacks(recorded('gdb-live-poll-join.txt')), 8996);
    expect(waits.filter((w) => w.main).map((w) => w.thread)).toEqual(['hilt-kernel']);
    expect(describeWaits(waits)).toBe(expected);
  });

  test('lldb (recorded on Linux; macOS prints the same format)', () => {
    expect(describeWaits(threadWaits(parseLldbStacks(recorded('lldb-live-poll-join.txt'))))).toBe(expected);
  });

  test("cdb (Windows; composed in cdb's format): poll is WSAPoll, join is _Thrd_join", () => {
    expect(describeWaits(threadWaits(parseCdbStacks(recorded('cdb-live-poll-join.txt'))))).toBe(expected);
  });

  test('a crashed core: the thread that was not waiting is "running"; lock and sleep waits are told apart', () => {
    const waits = threadWaits(parseGdbStacks(recorded('gdb-core-segv-audio-thread.txt')));
    expect(waits.some((w) => w.kind === 'running')).toBe(true);
    const line = describeWaits([
      { thread: 'a', main: true, kind: 'lock', site: 'Engine::stop' },
      { thread: 'b', main: false, kind: 'sleep' },
      { thread: 'c', main: false, kind: 'sleep' },
    ]);
    expect(line).toBe('main thread in lock (Engine::stop), 2 threads in sleep (b, c)');
  });
});
