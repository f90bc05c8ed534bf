import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeObject, isOrphan, objectKey, ownerPidFromName, type InventoryObject } from './objects.ts';
import { parseJsonArrays, parseProcStat } from './parse.ts';
import { diffSnapshots, type Snapshot } from './snapshot.ts';

// Recorded from a PipeWire 0.3.65 server right after engine pid 6381 was SIGKILLed: its tap
// hilt-engine-6381 is an orphan; hilt-observed is the rig's own sink.
const recorded = (file: string) => readFileSync(new URL(`../../fixtures/recorded/${file}`, import.meta.url), 'utf8');
const DUMP = recorded('pw-dump.json');
const PREFIX = 'hilt-engine';

describe('parseJsonArrays', () => {
  it('concatenates two arrays printed one after the other', () => {
    const text = '[{"id":1},{"id":2}]\n[{"id":3}]\n';
    expect(parseJsonArrays(text)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('concatenates a recorded dump followed by a second array', () => {
    const second = '[{"id":99,"type":"PipeWire:Interface:Node","info":{"props":{"node.name":"hilt-engine-7"}}}]';
    const all = parseJsonArrays(DUMP + second);
    expect(all.length).toBe(parseJsonArrays(DUMP).length + 1);
    expect(all.at(-1)).toMatchObject({ id: 99 });
  });

  it('is not fooled by brackets, braces and escaped quotes inside strings', () => {
    const items = [{ s: 'a ] b [ c } d {' }, { s: 'say \\"]\\" and "}" and \\' }, { s: '[[[', t: ']]]' }];
    const text = JSON.stringify(items) + ' ' + JSON.stringify([{ after: '"]' }]);
    expect(parseJsonArrays(text)).toEqual([...items, { after: '"]' }]);
  });

  it('returns nothing for empty input or empty arrays', () => {
    expect(parseJsonArrays('')).toEqual([]);
    expect(parseJsonArrays('[]\n[]')).toEqual([]);
  });
});

describe('parseProcStat', () => {
  it('reads pid, comm, state, ppid and session when comm holds spaces and parentheses', () => {
    const text = '4242 (my (odd) proc) x) S 17 4242 4240 0 -1 4194560 120 0 0 0\n';
    expect(parseProcStat(text)).toEqual({ pid: 4242, comm: 'my (odd) proc) x', state: 'S', ppid: 17, session: 4240 });
  });

  it('reads a zombie', () => {
    expect(parseProcStat('6381 (hilt-engine) Z 6300 6381 6300 0 -1')).toMatchObject({
      pid: 6381,
      comm: 'hilt-engine',
      state: 'Z',
      ppid: 6300,
    });
  });

  it('returns undefined for text without a comm', () => {
    expect(parseProcStat('')).toBeUndefined();
    expect(parseProcStat('123 S 1')).toBeUndefined();
    expect(parseProcStat('123 )x( S 1')).toBeUndefined();
  });
});

describe('ownerPidFromName', () => {
  it('reads the pid after the prefix', () => {
    expect(ownerPidFromName('hilt-engine-123', 'hilt-engine')).toBe(123);
    expect(ownerPidFromName('hilt-engine-123-secondary', 'hilt-engine')).toBe(123);
  });

  it('gives none when there is no pid, or the prefix is not followed by a dash', () => {
    expect(ownerPidFromName('hilt-engine-x', 'hilt-engine')).toBeUndefined();
    expect(ownerPidFromName('hilt-engine-123x', 'hilt-engine')).toBeUndefined();
    expect(ownerPidFromName('hilt-engine', 'hilt-engine')).toBeUndefined();
    expect(ownerPidFromName('hilt-engineer-5', 'hilt-engine')).toBeUndefined();
  });

  it('gives none for another prefix', () => {
    expect(ownerPidFromName('other-thing-123', 'hilt-engine')).toBeUndefined();
    expect(ownerPidFromName('hilt-observed', 'hilt-engine')).toBeUndefined();
  });
});

describe('objects helpers', () => {
  const o = (over: Partial<InventoryObject>): InventoryObject => ({
    kind: 'pulse-sink',
    id: '51',
    name: 'hilt-engine-6381',
    ownerPid: 6381,
    ownerAlive: false,
    ...over,
  });

  it('keys an object by kind and name', () => {
    expect(objectKey(o({}))).toBe('pulse-sink:hilt-engine-6381');
    expect(objectKey(o({ kind: 'pw-node', id: '43' }))).toBe('pw-node:hilt-engine-6381');
  });

  it('calls an object an orphan only when its creator is known dead and it is not a process', () => {
    expect(isOrphan(o({}))).toBe(true);
    expect(isOrphan(o({ ownerAlive: true }))).toBe(false);
    expect(isOrphan(o({ ownerAlive: undefined }))).toBe(false);
    expect(isOrphan(o({ kind: 'process', ownerAlive: false }))).toBe(false);
  });

  it('describes an object with its creator', () => {
    expect(describeObject(o({}))).toBe('pulse-sink hilt-engine-6381 (id 51, creator pid 6381 dead)');
    expect(describeObject(o({ ownerAlive: true }))).toBe('pulse-sink hilt-engine-6381 (id 51, creator pid 6381 alive)');
    expect(describeObject(o({ name: 'hilt-engine', ownerPid: undefined }))).toBe('pulse-sink hilt-engine (id 51)');
  });
});

describe('diffSnapshots', () => {
  const snap = (objects: InventoryObject[]): Snapshot => ({ prefix: PREFIX, takenAt: 0, tookMs: 1, objects });
  const make = (
    kind: InventoryObject['kind'],
    name: string,
    ownerPid: number | undefined,
    ownerAlive: boolean | undefined,
  ): InventoryObject => ({
    kind,
    id: name,
    name,
    ownerPid,
    ownerAlive,
  });

  it('reports added and removed objects, and added objects of a dead creator as orphans', () => {
    const kept = make('pulse-sink', 'hilt-engine-1', 1, true);
    const gone = make('pw-node', 'hilt-engine-2', 2, false);
    const orphanSink = make('pulse-sink', 'hilt-engine-6381', 6381, false);
    const orphanNode = make('pw-node', 'hilt-engine-6381', 6381, false);
    const liveSink = make('pulse-sink', 'hilt-engine-7', 7, true);
    const unknownOwner = make('pulse-module', 'hilt-engine', undefined, undefined);
    const d = diffSnapshots(snap([kept, gone]), snap([kept, orphanSink, orphanNode, liveSink, unknownOwner]));
    expect(d.added).toEqual([orphanSink, orphanNode, liveSink, unknownOwner]);
    expect(d.removed).toEqual([gone]);
    expect(d.orphans).toEqual([orphanSink, orphanNode]);
  });

  it('never calls a process an orphan, even with a dead owner', () => {
    const proc = make('process', 'hilt-engine[6381]', 6381, false);
    const d = diffSnapshots(snap([]), snap([proc]));
    expect(d.added).toEqual([proc]);
    expect(d.orphans).toEqual([]);
  });

  it('matches objects by kind and name, not by id or liveness', () => {
    const before = make('pulse-sink', 'hilt-engine-5', 5, true);
    const after = { ...before, id: 'other', ownerAlive: false };
    const d = diffSnapshots(snap([before]), snap([after]));
    expect(d).toEqual({ added: [], removed: [], orphans: [] });
  });

  it('an orphan already in the baseline is not a new orphan', () => {
    const old = make('pulse-sink', 'hilt-engine-6381', 6381, false);
    expect(diffSnapshots(snap([old]), snap([old])).orphans).toEqual([]);
  });

  it('is empty for identical snapshots and all-removed for an empty current one', () => {
    const a = make('pw-node', 'hilt-engine-1', 1, true);
    expect(diffSnapshots(snap([a]), snap([a]))).toEqual({ added: [], removed: [], orphans: [] });
    expect(diffSnapshots(snap([a]), snap([]))).toEqual({ added: [], removed: [a], orphans: [] });
  });
});
