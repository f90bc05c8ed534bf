import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AllureResult, type StepNode } from './allure-result.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function result(seed: string): { a: AllureResult; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hilt-allure-test-'));
  dirs.push(dir);
  const a = new AllureResult(dir, 'kill9', 'hilt:scenarios/kill9.scenario.ts#kill9', 'SIGKILL the engine');
  a.label('feature', 'kill9');
  a.parameter('bugs', 'none');
  a.parameter('seed', seed, true);
  return { a, dir };
}

const read = (dir: string) => {
  const f = readdirSync(dir).find((n) => n.endsWith('-result.json'))!;
  return JSON.parse(readFileSync(join(dir, f), 'utf8'));
};

describe('AllureResult', () => {
  it('writes phases with their times, checks, attachments in files, and a failed step with its message', () => {
    const { a, dir } = result('1');
    const nodes: StepNode[] = [
      { name: 'baseline inventory', start: 1000, stop: 1052, timed: true, children: [] },
      {
        name: 'engine ends',
        start: 1100,
        stop: 1103,
        timed: true,
        children: [
          { name: 'check: no orphans', start: 1103, stop: 1103, failed: 'orphan tap hilt-tap-1', children: [] },
          {
            name: 'engine.log',
            start: 1103,
            stop: 1103,
            children: [],
            attachment: { file: 'engine.log', content: Buffer.from('ready\n'), contentType: 'text/plain', ext: 'log' },
          },
        ],
      },
    ];
    a.step('run 1 of 1 (seed 1)', nodes, 'orphan tap hilt-tap-1');
    a.write('failed', 'kill9 fail: orphan tap hilt-tap-1');
    const r = read(dir);
    expect(r).toMatchObject({
      name: 'kill9',
      status: 'failed',
      stage: 'finished',
      statusDetails: { message: 'kill9 fail: orphan tap hilt-tap-1' },
    });
    const [run] = r.steps;
    expect(run).toMatchObject({ status: 'failed', statusDetails: { message: 'orphan tap hilt-tap-1' }, start: 1000 });
    expect(run.steps.map((s: { name: string }) => s.name)).toEqual(['baseline inventory (52 ms)', 'engine ends (3 ms)']);
    const ends = run.steps[1];
    expect(ends.steps).toMatchObject([{ name: 'check: no orphans', status: 'failed' }]);
    expect(ends.attachments).toMatchObject([{ name: 'engine.log', type: 'text/plain' }]);
    expect(readFileSync(join(dir, ends.attachments[0].source), 'utf8')).toBe('ready\n');
  });

  it('gives runs that differ only in their seed one history, and a skipped run its reason', () => {
    const one = result('1');
    const two = result('2');
    one.a.write('skipped', 'unavailable: pipewire is not installed');
    two.a.write('passed');
    const [r1, r2] = [read(one.dir), read(two.dir)];
    expect(r1.historyId).toBe(r2.historyId);
    expect(r1.uuid).not.toBe(r2.uuid);
    expect(r1.statusDetails.message).toBe('unavailable: pipewire is not installed');
    expect(r1.labels).toContainEqual({ name: 'feature', value: 'kill9' });
  });
});
