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

describe('ScenarioRun: a repetition stopped, a run judged whole', () => {
  const failed = (id: string) => ({
    id,
    name: id,
    verdict: 'fail' as const,
    measured: null,
    limit: null,
    unit: '',
    message: `${id} failed`,
  });
  const passed = (id: string) => ({ ...failed(id), verdict: 'pass' as const });
  const repeated = (repeat: number) => {
    const out = mkdtempSync(join(tmpdir(), 'hilt-define-test-'));
    dirs.push(out);
    return new ScenarioRun({ scenario: 't', target: 't.json', rig: 'virtual', repeat, seed: 7, bugs: [], set: {}, out }, 't');
  };

  it('a stopped repetition leaves nothing it found, and the summary says interrupted, after how many of how many', () => {
    const run = repeated(20);
    run.planned = 20;
    run.beginRepetition(1, 7);
    run.check(passed('exit'));
    run.metric('exit_ms', 3);
    run.endRepetition();
    run.beginRepetition(2, 8);
    run.check(failed('no-orphans'));
    run.metric('exit_ms', 900);
    run.abandonRepetition('SIGINT');
    run.check(failed('resumed')); // the abandoned body still unwinding: not recorded
    const s = run.summary();
    expect(s.checks.map((c) => c.id)).toEqual(['exit']);
    expect(s.metrics.exit_ms).toBe(3);
    expect(s.runs).toBe(1);
    expect(s.verdict).toBe('pass');
    expect(s.interrupted).toEqual({ signal: 'SIGINT', finished: 1, planned: 20 });
    expect(s.diagnosis).toBe('interrupted by SIGINT after 1 of 20 run(s); of those: all checks passed');
  });

  it("a tally the scenario made itself speaks for the whole run; otherwise the first failed run's diagnosis", () => {
    for (const tallied of [true, false]) {
      const run = repeated(2);
      for (const rep of [1, 2]) {
        run.beginRepetition(rep, rep);
        run.check(failed('exit'));
        if (tallied) run.diagnoseWholeRun(`${rep} of ${rep} runs crashed. the engine was freed while running`);
        else run.diagnosis = `run ${rep} crashed`;
        run.endRepetition();
      }
      expect(run.summary().diagnosis).toBe(
        tallied
          ? '2 of 2 runs crashed. the engine was freed while running'
          : '2 of 2 runs failed; the first, run 1 (replay: --seed 7 --only-repetition 1): run 1 crashed',
      );
    }
  });
});
