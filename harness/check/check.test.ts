import { describe, expect, it } from 'vitest';
import type { InventoryObject } from '../inventory/objects.ts';
import type { InventoryDiff } from '../inventory/snapshot.ts';
import { checksById, expectation, withinLimit } from './check.ts';
import { backToBaseline, noObjectsOf, orphansPresent } from './orphans.ts';

const obj = (
  kind: InventoryObject['kind'],
  id: string,
  name: string,
  ownerPid: number | undefined,
  ownerAlive: boolean | undefined,
): InventoryObject => ({
  kind,
  id,
  name,
  ownerPid,
  ownerAlive,
});

const orphanSink = obj('pulse-sink', '51', 'hilt-engine-6381', 6381, false);
const orphanNode = obj('pw-node', '43', 'hilt-engine-6381', 6381, false);
const otherOrphan = obj('pulse-sink', '60', 'hilt-engine-7000', 7000, false);
const liveSink = obj('pulse-sink', '70', 'hilt-engine-8000', 8000, true);

const diff = (added: InventoryObject[], orphans: InventoryObject[] = [], removed: InventoryObject[] = []): InventoryDiff => ({
  added,
  removed,
  orphans,
});

describe('withinLimit', () => {
  it('passes at or under the limit, rounding the measurement to 0.1', () => {
    const r = withinLimit('id', 'ready-time', 12.34, 3000, 'ms', 'time to ready');
    expect(r).toEqual({
      id: 'id',
      name: 'ready-time',
      verdict: 'pass',
      measured: 12.3,
      limit: 3000,
      unit: 'ms',
      message: 'time to ready: 12 ms (limit 3000 ms)',
    });
    expect(withinLimit('id', 'x', 3000, 3000, 'ms', 'w').verdict).toBe('pass');
    expect(withinLimit('id', 'x', 0, 3000, 'ms', 'w').verdict).toBe('pass');
  });

  it('fails over the limit, saying what it measured against what limit', () => {
    const r = withinLimit('id', 'stop-time', 2500.06, 2000, 'ms', 'time to stop');
    expect(r.verdict).toBe('fail');
    expect(r.measured).toBe(2500.1);
    expect(r.limit).toBe(2000);
    expect(r.message).toBe('time to stop: 2500 ms (limit 2000 ms)');
    expect(withinLimit('id', 'x', 3000.1, 3000, 'ms', 'w').verdict).toBe('fail');
  });

  it('fails when the measurement never happened', () => {
    const r = withinLimit('id', 'ready-time', undefined, 3000, 'ms', 'time to ready');
    expect(r).toEqual({
      id: 'id',
      name: 'ready-time',
      verdict: 'fail',
      measured: null,
      limit: 3000,
      unit: 'ms',
      message: 'time to ready: did not happen within the 3000 ms deadline',
    });
  });
});

describe('expectation', () => {
  it('maps ok to pass and not ok to fail, keeping every field', () => {
    expect(expectation('id', 'n', true, 1, '>= 1', 'u', 'm')).toEqual({
      id: 'id',
      name: 'n',
      verdict: 'pass',
      measured: 1,
      limit: '>= 1',
      unit: 'u',
      message: 'm',
    });
    expect(expectation('id', 'n', false, null, null, '', 'm').verdict).toBe('fail');
  });
});

describe('orphansPresent', () => {
  it('passes when the killed pid left orphans, naming them', () => {
    const r = orphansPresent('id', 'fault-bit', diff([orphanSink, orphanNode, otherOrphan], [orphanSink, orphanNode, otherOrphan]), 6381);
    expect(r.verdict).toBe('pass');
    expect(r.measured).toBe(2);
    expect(r.limit).toBe('>= 1');
    expect(r.unit).toBe('objects');
    expect(r.message).toContain('2 object(s) of dead pid 6381');
    expect(r.message).toContain('pulse-sink hilt-engine-6381 (id 51, creator pid 6381 dead)');
    expect(r.message).toContain('pw-node hilt-engine-6381 (id 43, creator pid 6381 dead)');
    expect(r.message).not.toContain('hilt-engine-7000');
  });

  it('fails when the killed pid left nothing, even if another pid did', () => {
    const r = orphansPresent('id', 'fault-bit', diff([otherOrphan], [otherOrphan]), 6381);
    expect(r.verdict).toBe('fail');
    expect(r.measured).toBe(0);
    expect(r.message).toMatch(/killed pid 6381 .*the fault did not bite.*none found/);
  });

  it('counts only orphans, not added objects of the pid', () => {
    const alive = obj('pulse-sink', '51', 'hilt-engine-6381', 6381, true);
    expect(orphansPresent('id', 'fault-bit', diff([alive], []), 6381).verdict).toBe('fail');
  });
});

describe('noObjectsOf', () => {
  it('passes when no object of the pid remains', () => {
    const r = noObjectsOf('id', 'swept', [otherOrphan, liveSink], 6381, 'after the sweep');
    expect(r).toEqual({
      id: 'id',
      name: 'swept',
      verdict: 'pass',
      measured: 0,
      limit: 0,
      unit: 'objects',
      message: 'no object of pid 6381 remains after the sweep',
    });
  });

  it('fails naming every object of the pid that remains', () => {
    const r = noObjectsOf('id', 'swept', [orphanSink, liveSink, orphanNode], 6381, 'after the sweep');
    expect(r.verdict).toBe('fail');
    expect(r.measured).toBe(2);
    expect(r.message).toBe(
      '2 orphan(s) of pid 6381 remain after the sweep: pulse-sink hilt-engine-6381 (id 51, creator pid 6381 dead); ' +
        'pw-node hilt-engine-6381 (id 43, creator pid 6381 dead)',
    );
  });
});

describe('backToBaseline', () => {
  it('passes when nothing was added, whatever was removed', () => {
    const r = backToBaseline(diff([], [], [liveSink]).added);
    expect(r).toEqual({
      id: 'back-to-baseline',
      name: 'inventory back to baseline',
      verdict: 'pass',
      measured: 0,
      limit: 0,
      unit: 'objects',
      message: 'inventory is back to its baseline',
    });
  });

  it('fails naming the added objects, orphans or not', () => {
    const r = backToBaseline(diff([orphanSink, liveSink], [orphanSink]).added);
    expect(r.verdict).toBe('fail');
    expect(r.measured).toBe(2);
    expect(r.message).toMatch(/^2 object\(s\) not in the baseline remain: /);
    expect(r.message).toContain('pulse-sink hilt-engine-6381 (id 51, creator pid 6381 dead)');
    expect(r.message).toContain('pulse-sink hilt-engine-8000 (id 70, creator pid 8000 alive)');
  });
});

describe('checksById', () => {
  const checks = [
    { ...expectation('victim-heard', 'a: victim heard', true, null, null, '', 'm'), subject: 'a' },
    { ...expectation('victim-heard', 'b: victim heard', false, null, null, '', 'm'), subject: 'b' },
    expectation('exit', 'exit is exit 0', true, null, null, '', 'm'),
  ];

  it('finds every check with the id, or only the one with the subject too', () => {
    expect(checksById(checks, 'victim-heard').map((c) => c.subject)).toEqual(['a', 'b']);
    expect(checksById(checks, 'victim-heard', 'b').map((c) => c.verdict)).toEqual(['fail']);
    expect(checksById(checks, 'exit')).toHaveLength(1);
    expect(checksById(checks, 'victim-heard', 'c')).toEqual([]);
  });
});
