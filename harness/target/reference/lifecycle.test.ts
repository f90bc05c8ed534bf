import { describe, expect, it } from 'vitest';
import { orderViolations, parseLifecycle, teardownMs } from './lifecycle.ts';

// Recorded from gc-churn runs against the real addon.
const good = `hilt-addon[13901] +4.7ms engine#1 created
hilt-addon[13901] +52.7ms engine#1 started (hilt-engine-13901-e1)
hilt-engine[13901] +60.6ms sweep: 0 orphan(s) destroyed
hilt-addon[13901] +528.7ms engine#1 stop-requested (finalizer)
hilt-addon[13901] +528.8ms engine#1 threads-joined
hilt-addon[13901] +544.4ms engine#1 tap-destroyed
hilt-addon[13901] +544.4ms engine#1 freed`;

const freedRunning = `hilt-addon[13914] +100.3ms engine#3 created
hilt-addon[13914] +187.2ms engine#3 started (hilt-engine-13914-e3)
hilt-addon[13914] +517.4ms engine#3 freed-while-running (bug switch gc-free-while-running)
hilt-addon[13914] +517.5ms engine#3 freed`;

describe('parseLifecycle', () => {
  it('groups events per engine with their times and details', () => {
    const m = parseLifecycle(good);
    expect([...m.keys()]).toEqual([1]);
    expect(m.get(1)!.map((e) => e.event)).toEqual(['created', 'started', 'stop-requested', 'threads-joined', 'tap-destroyed', 'freed']);
    expect(m.get(1)![2]).toEqual({ event: 'stop-requested', atMs: 528.7, detail: 'finalizer' });
  });
});

describe('orderViolations', () => {
  it('accepts stop, join, destroy, free', () => {
    expect(orderViolations(1, parseLifecycle(good).get(1)!)).toEqual([]);
    expect(teardownMs(parseLifecycle(good).get(1)!)).toBeCloseTo(15.7, 5);
  });

  it('names a free while the threads run', () => {
    const v = orderViolations(3, parseLifecycle(freedRunning).get(3)!);
    expect(v[0]).toBe('engine#3 was freed while its threads were running');
    expect(teardownMs(parseLifecycle(freedRunning).get(3)!)).toBeUndefined();
  });

  it('names an engine never freed and one out of order', () => {
    const never = parseLifecycle(good.split('\n').slice(0, 5).join('\n')).get(1)!;
    expect(orderViolations(1, never)).toEqual(['engine#1 was never freed']);
    const swapped = parseLifecycle(
      good.replace('threads-joined', 'X').replace('tap-destroyed', 'threads-joined').replace(' X', ' tap-destroyed'),
    ).get(1)!;
    expect(orderViolations(1, swapped).join()).toMatch(/out of order/);
  });

  it('at a process exit, stopped, joined and destroyed is a whole end; a stop cut short is not', () => {
    const exited = parseLifecycle(good.split('\n').slice(0, 6).join('\n')).get(1)!;
    expect(orderViolations(1, exited, { freed: false })).toEqual([]);
    const cut = parseLifecycle(good.split('\n').slice(0, 5).join('\n')).get(1)!;
    expect(orderViolations(1, cut, { freed: false })).toEqual([
      `engine#1 never reached tap-destroyed (saw: ${cut.map((e) => e.event).join(' > ')})`,
    ]);
  });

  it('does not ask a never-started engine to have stopped', () => {
    const e = parseLifecycle('hilt-addon[1] +1.0ms engine#9 created\nhilt-addon[1] +2.0ms engine#9 freed').get(9)!;
    expect(orderViolations(9, e)).toEqual([]);
  });
});
