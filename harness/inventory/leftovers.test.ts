import { describe, expect, it } from 'vitest';
import { describeLeftover, leftovers, namedLike, type LeftoverOwner } from './leftovers.ts';
import type { InventoryObject } from './objects.ts';
import type { Snapshot } from './snapshot.ts';

const snap = (objects: InventoryObject[]): Snapshot => ({ prefix: '*', takenAt: 0, tookMs: 1, objects });
const o = (over: Partial<InventoryObject> & Pick<InventoryObject, 'kind' | 'name'>): InventoryObject => ({
  id: '1',
  ownerPid: undefined,
  ownerAlive: undefined,
  ...over,
});
const TARGET = 123;
const owner = (over: Partial<LeftoverOwner> = {}): LeftoverOwner => ({
  pids: [TARGET, 456],
  prefix: 'app',
  patterns: [],
  privateServer: true,
  ...over,
});

// The rig and its capture, there before the target ran.
const rigSink = o({ kind: 'pulse-sink', name: 'hilt-observed', key: 'pulse-sink:hilt-observed' });
const capture = o({ kind: 'pw-node', id: '36', name: 'hilt-recorder', ownerPid: 900, ownerAlive: true, key: 'pw-node:36:hilt-recorder' });
const baseline = snap([rigSink, capture]);

const module = o({
  kind: 'pulse-module',
  id: '536870914',
  name: 'module-null-sink',
  detail: 'sink_name=app-123',
  key: 'pulse-module:module-null-sink sink_name=app-123',
});
const linger = o({
  kind: 'pw-node',
  id: '56',
  name: 'linger-test',
  detail: 'media.class=Audio/Sink, object.linger=true',
  key: 'pw-node:56:linger-test',
});
const childNode = o({ kind: 'pw-node', id: '70', name: 'helper-out', ownerPid: 456, ownerAlive: false, key: 'pw-node:70:helper-out' });
const victim = o({ kind: 'pw-node', id: '80', name: 'victim', ownerPid: 901, ownerAlive: true, key: 'pw-node:80:victim' });
const deadStranger = o({ kind: 'pw-client', id: '81', name: 'x', ownerPid: 777, ownerAlive: false, key: 'pw-client:81:x' });

describe('leftovers', () => {
  it('keeps what is new and the target’s, each with why; drops what was there and what a live stranger owns', () => {
    const after = snap([rigSink, capture, module, linger, childNode, victim, deadStranger]);
    const left = leftovers(baseline, after, owner());
    expect(left.map((l) => [l.name, l.why])).toEqual([
      ['module-null-sink', 'name'], // sink_name=app-123: the prefix at a word start of the detail
      ['linger-test', 'unattributed'], // no owner on a private rig
      ['helper-out', 'owner'], // a descendant's pid
      ['x', 'unattributed'], // owner dead
    ]);
  });

  it("on the user's own server (--rig system) only owner and name count: other apps come and go there", () => {
    const after = snap([rigSink, capture, module, linger, childNode, victim, deadStranger]);
    const left = leftovers(baseline, after, owner({ privateServer: false }));
    expect(left.map((l) => [l.name, l.why])).toEqual([
      ['module-null-sink', 'name'],
      ['helper-out', 'owner'],
    ]);
  });

  it('an owner pid wins over a name; the returned objects are copies', () => {
    const mine = o({ kind: 'pw-node', name: 'app-9', ownerPid: TARGET, ownerAlive: false, key: 'pw-node:9:app-9' });
    const [left] = leftovers(baseline, snap([mine]), owner());
    expect(left!.why).toBe('owner');
    expect(mine.why).toBeUndefined();
  });

  it('matches by key: an object already in the baseline is never a leftover, even with a new id', () => {
    const same = { ...capture, id: '99', ownerAlive: false };
    expect(leftovers(baseline, snap([same]), owner())).toEqual([]);
  });

  it('matches a pattern against name or detail', () => {
    const tap = o({ kind: 'pulse-sink', name: 'FineTune Tap', ownerPid: 901, ownerAlive: true, key: 'pulse-sink:FineTune Tap' });
    expect(leftovers(baseline, snap([tap]), owner())).toEqual([]);
    expect(leftovers(baseline, snap([tap]), owner({ patterns: [/finetune/gi] })).map((l) => l.why)).toEqual(['name']);
    expect(leftovers(baseline, snap([tap]), owner({ patterns: [/finetune/gi] })).map((l) => l.why)).toEqual(['name']); // /g twice
  });

  it('never calls a process unattributed', () => {
    const proc = o({ kind: 'process', name: 'sleep[5]', ownerPid: 5, ownerAlive: true });
    expect(leftovers(baseline, snap([proc]), owner())).toEqual([]);
  });
});

describe('namedLike', () => {
  it('finds the prefix at a word start only', () => {
    expect(namedLike({ name: 'app-123' }, 'app')).toBe(true);
    expect(namedLike({ name: 'module-null-sink', detail: 'sink_name=app-123' }, 'app')).toBe(true);
    expect(namedLike({ name: 'output.app' }, 'app')).toBe(true);
    expect(namedLike({ name: 'myapp-1' }, 'app')).toBe(false);
    expect(namedLike({ name: 'anything' }, '')).toBe(false);
    expect(namedLike({ name: 'a.b(c)' }, 'b(c')).toBe(true); // the prefix is text, not a regex
  });
});

describe('describeLeftover', () => {
  it('a module: its argument inline, no owner pid, the target dead', () => {
    expect(describeLeftover({ ...module, why: 'unattributed' }, TARGET)).toBe(
      'pulse module module-null-sink sink_name=app-123 (no owner pid on it: the server does not say who loaded a module, ' +
        'new on the private rig, where nothing else makes objects; target pid 123 dead)',
    );
    expect(describeLeftover({ ...module, why: 'name' }, TARGET, true)).toBe(
      'pulse module module-null-sink sink_name=app-123 (no owner pid on it: the server does not say who loaded a module, ' +
        'named like the target (its prefix or a pattern); target pid 123 alive)',
    );
  });

  it("a child's lingering node, and the target's own object", () => {
    const node = { ...linger, ownerPid: 456, ownerAlive: false, why: 'owner' as const };
    expect(describeLeftover(node, TARGET)).toBe(
      'pw-node linger-test (media.class=Audio/Sink, object.linger=true, owner pid 456 dead, a child of the target)',
    );
    expect(describeLeftover({ ...node, ownerPid: TARGET }, TARGET)).toBe(
      'pw-node linger-test (media.class=Audio/Sink, object.linger=true, owner pid 123 dead, the target)',
    );
  });

  it('an object whose owner is a dead stranger', () => {
    expect(describeLeftover({ ...deadStranger, why: 'unattributed' }, TARGET)).toBe(
      'pw-client x (owner pid 777 dead, new on the private rig, where nothing else makes objects; target pid 123 dead)',
    );
  });
});
