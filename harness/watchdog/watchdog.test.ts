// The watchdog against real processes: one that ignores SIGTERM, one that ends on it, one that
// answers in time and one that dies first. Stacks come from the real gdb.
import { afterEach, describe, expect, test } from 'vitest';
import { Child } from '../proc/child.ts';
import { takeHangs } from './hangs.ts';
import { watch } from './watchdog.ts';

// Small Node programs (Node is what every machine running hilt has).
const program = (code: string) => new Child(process.execPath, ['-e', code], { name: 'sleeper' });
const IGNORES_TERM = "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1e6)";
const ENDS_ON_TERM = "console.log('up'); setInterval(() => {}, 1e6)";

afterEach(() => void takeHangs());

describe('watch', () => {
  test('a process that never answers and ignores SIGTERM: stacks, SIGTERM, SIGKILL; the hang is reported', async () => {
    const c = program(IGNORES_TERM);
    await c.waitForLine(/up/);
    const w = await watch(c, c.nextLine(/never/), { what: 'sleeper answer', softMs: 300, graceMs: 300 });
    expect(w.outcome).toBe('hung');
    if (w.outcome !== 'hung') return;
    expect(w.hang.endedBy).toBe('SIGKILL');
    expect(w.hang.exit?.signal).toBe('SIGKILL');
    expect(w.hang.stacks.tool).toBe('gdb');
    expect(w.hang.stacks.stacks?.threads.length).toBeGreaterThanOrEqual(1);
    expect(w.hang.waits).toMatch(/^main thread in poll/); // Node's event loop waits in epoll_wait
    expect(w.hang.summary).toMatch(
      /^sleeper answer hung: nothing after 300 ms; main thread in .*; SIGTERM was ignored for 300 ms, so it was SIGKILLed$/,
    );
    expect(takeHangs().map((h) => h.what)).toEqual(['sleeper answer']);
  });

  test('a process that ends on SIGTERM is not SIGKILLed', async () => {
    const c = program(ENDS_ON_TERM);
    await c.waitForLine(/up/);
    const w = await watch(c, c.nextLine(/never/), { what: 'sleeper', softMs: 200, stacks: false });
    expect(w.outcome === 'hung' && w.hang.endedBy).toBe('SIGTERM');
    expect(w.outcome === 'hung' && w.hang.exit?.signal).toBe('SIGTERM');
  });

  test('an answer before the soft deadline: done, nothing taken, nothing killed', async () => {
    const c = program("console.log('up'); console.log('answer'); setInterval(() => {}, 1e6)");
    const w = await watch(c, c.waitForLine(/answer/), { what: 'answer', softMs: 5000 });
    expect(w.outcome).toBe('done');
    expect(c.done).toBeUndefined();
    expect(takeHangs()).toEqual([]);
    c.signal('SIGKILL');
    await c.exited;
  });

  test('a process that dies before answering is "exited", not a hang', async () => {
    const c = program('process.exit(3)');
    const w = await watch(c, c.nextLine(/never/), { what: 'dies', softMs: 5000 });
    expect(w.outcome).toBe('exited');
    expect(w.outcome === 'exited' && w.exit.exitCode).toBe(3);
  });
});
