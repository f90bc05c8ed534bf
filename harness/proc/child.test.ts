import { describe, expect, it } from 'vitest';
import { Child, childResult, stopChild } from './child.ts';

describe('ChildResult.exit: the end classified once, when the child ends', () => {
  it('an exit code', async () => {
    const r = await new Child('sh', ['-c', 'exit 3'], { name: 'sh' }).exited;
    expect(r.exitCode).toBe(3);
    expect(r.exit).toMatchObject({ kind: 'error', name: 'exit 3', crash: false });
  });

  it('a crash signal, the same object on done and on exited', async () => {
    const c = new Child('sh', ['-c', 'kill -SEGV $$'], { name: 'sh' });
    const r = await c.exited;
    expect(r.exit).toMatchObject({ kind: 'crash', signal: 'SIGSEGV', name: 'SIGSEGV', crash: true });
    expect(c.done?.exit).toBe(r.exit);
  });

  it('a stop carries it too', async () => {
    const c = new Child('sleep', ['30'], { name: 'sleep' });
    const r = await stopChild(c, 'SIGTERM', 2000);
    expect(r.exit).toMatchObject({ kind: 'signal', signal: 'SIGTERM' });
    expect(r.escalated).toBe(false);
  });

  it('no code and no signal (still running, or nobody could tell): unknown', () => {
    expect(childResult(null, null, 0).exit.kind).toBe('unknown');
  });
});

describe('linesSince and drained: what it printed after a mark, the last lines read from the pipes', () => {
  it('the lines after the mark, once its pipes are drained', async () => {
    const c = new Child('sh', ['-c', 'echo before; read x; echo after; echo last >&2'], { name: 'sh', stdin: 'pipe' });
    await c.waitForLine(/^before$/);
    const mark = c.linesSeen;
    c.stdin?.end('go\n');
    await c.exited;
    await c.drained(1000);
    expect(c.linesSince(mark).sort()).toEqual(['after', 'last']);
    expect(c.linesSince(c.linesSeen)).toEqual([]);
  });
});
