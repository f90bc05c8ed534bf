import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tearDown } from './execute.ts';
import { ScenarioRun } from './run.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function newRun(): ScenarioRun {
  const out = mkdtempSync(join(tmpdir(), 'hilt-define-test-'));
  dirs.push(out);
  return new ScenarioRun({ scenario: 't', target: 't.json', rig: 'virtual', repeat: 1, seed: 1, bugs: [], set: {}, out }, 't');
}

describe('tearDown', () => {
  it('runs every step in reverse order, and records nothing when all succeed', async () => {
    const run = newRun();
    const order: number[] = [];
    await tearDown(run, [() => order.push(1), async () => order.push(2), () => order.push(3)]);
    expect(order).toEqual([3, 2, 1]);
    expect(run.checks).toEqual([]);
  });

  it('keeps going past a failed step and records the first error as a failed teardown check', async () => {
    const run = newRun();
    const order: number[] = [];
    await tearDown(run, [
      () => order.push(1),
      () => {
        throw new Error('victim would not stop');
      },
      async () => {
        order.push(3);
        throw new Error('capture pipe broke');
      },
    ]);
    expect(order).toEqual([3, 1]);
    expect(run.checks).toHaveLength(1);
    expect(run.checks[0]).toMatchObject({ id: 'teardown', verdict: 'fail', measured: 2 });
    expect(run.checks[0]!.message).toBe('2 teardown step(s) failed; the first: capture pipe broke');
    expect(run.summary().verdict).toBe('fail');
  });
});
