// The watchdog against real processes: one that ignores SIGTERM, one that ends on it, one that
// answers in time and one that dies first. Stacks come from the real gdb.
import { afterEach, describe, expect, test } from 'vitest';
import { Child } from '../proc/child.ts';
import { takeHangs } from './hangs.ts';
import { watch } from './watchdog.ts';

const python = (code: string) => new Child('python3', ['-c', code], { name: 'sleeper' });
const IGNORES_TERM = "import signal,time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(600)";
const ENDS_ON_TERM = "import time; print('up', flush=True); time.sleep(600)";

afterEach(() => void takeHangs());

describe('watch', () => {
  test('a process that never answers and ignores SIGTERM: stacks, SIGTERM, SIGKILL; the hang is reported', async () => {
    const c = python(IGNORES_TERM);
    await c.waitForLine(/up/);
    const w = await watch(c, c.nextLine(/never/), { what: 'sleeper answer', softMs: 300, graceMs: 300 });
    expect(w.outcome).toBe('hung');
    if (w.outcome !== 'hung') return;
    expect(w.hang.endedBy).toBe('SIGKILL');
    expect(w.hang.exit?.signal).toBe('SIGKILL');
    expect(w.hang.stacks.tool).toBe('gdb');
    expect(w.hang.stacks.stacks?.threads.length).toBeGreaterThanOrEqual(1);
    expect(w.hang.waits).toMatch(/^main thread in (sleep|poll)/); // time.sleep is select() or clock_nanosleep
    expect(w.hang.summary).toMatch(/^sleeper answer hung: nothing after 300 ms; main thread in .*; SIGTERM was ignored for 300 ms, so it was SIGKILLed$/);
    expect(takeHangs().map((h) => h.what)).toEqual(['sleeper answer']);
  });

  test('a process that ends on SIGTERM is not SIGKILLed', async () => {
    const c = python(ENDS_ON_TERM);
    await c.waitForLine(/up/);
    const w = await watch(c, c.nextLine(/never/), { what: 'sleeper', softMs: 200, stacks: false });
    expect(w.outcome === 'hung' && w.hang.endedBy).toBe('SIGTERM');
    expect(w.outcome === 'hung' && w.hang.exit?.signal).toBe('SIGTERM');
  });

  test('an answer before the soft deadline: done, nothing taken, nothing killed', async () => {
    const c = python("print('up', flush=True); print('answer', flush=True); import time; time.sleep(600)");
    const w = await watch(c, c.waitForLine(/answer/), { what: 'answer', softMs: 5000 });
    expect(w.outcome).toBe('done');
    expect(c.done).toBeUndefined();
    expect(takeHangs()).toEqual([]);
    c.signal('SIGKILL');
    await c.exited;
  });

  test('a process that dies before answering is "exited", not a hang', async () => {
    const c = python('import sys; sys.exit(3)');
    const w = await watch(c, c.nextLine(/never/), { what: 'dies', softMs: 5000 });
    expect(w.outcome).toBe('exited');
    expect(w.outcome === 'exited' && w.exit.exitCode).toBe(3);
  });
});
