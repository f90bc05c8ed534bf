import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeObject, isOrphan, objectKey, ownerPidFromName, type InventoryObject } from './objects.ts';
import { parseJsonArrays, parseProcStat, parsePulseModules, parsePulseSinks, parsePwDump } from './parse.ts';
import { diffSnapshots, type Snapshot } from './snapshot.ts';

// Recorded from a PipeWire 0.3.65 server right after engine pid 6381 was SIGKILLed: its tap
// hilt-engine-6381 is an orphan; hilt-observed is the rig's own sink.
const recorded = (file: string) => readFileSync(new URL(`../../fixtures/recorded/${file}`, import.meta.url), 'utf8');
const MODULES = recorded('pactl-modules.json');
const SINKS = recorded('pactl-sinks.json');
const DUMP = recorded('pw-dump.json');
const PREFIX = 'hilt-engine';

describe('parsePulseSinks on recorded pactl output', () => {
  it('finds the orphan tap with its index and owner module, and not the rig sink', () => {
    const sinks = parsePulseSinks(SINKS, PREFIX);
    expect(sinks).toEqual([
      { kind: 'pulse-sink', id: '51', name: 'hilt-engine-6381', ownerPid: 6381, ownerAlive: undefined, pulseModule: 536870914 },
    ]);
    expect(sinks.map((s) => s.name)).not.toContain('hilt-observed');
  });

  it('finds the rig sink only under its own prefix', () => {
    const sinks = parsePulseSinks(SINKS, 'hilt-observed');
    expect(sinks).toHaveLength(1);
    expect(sinks[0]).toMatchObject({ id: '43', name: 'hilt-observed', ownerPid: undefined, pulseModule: 536870913 });
  });

  it('finds nothing for an unused prefix', () => {
    expect(parsePulseSinks(SINKS, 'nothing-here')).toEqual([]);
  });

  it('does not claim a sink whose name merely starts with the prefix', () => {
    const text = JSON.stringify([
      { index: 9, name: 'hilt-engineer-5', owner_module: 1 },
      { index: 10, name: 'hilt-engine-5', owner_module: 2 },
    ]);
    expect(parsePulseSinks(text, PREFIX).map((s) => s.name)).toEqual(['hilt-engine-5']);
  });
});

describe('parsePulseModules on recorded pactl output', () => {
  it('finds the null-sink module by its sink_name argument, with the owner pid', () => {
    const mods = parsePulseModules(MODULES, PREFIX);
    expect(mods).toHaveLength(1);
    expect(mods[0]).toMatchObject({ kind: 'pulse-module', name: 'hilt-engine-6381', ownerPid: 6381, ownerAlive: undefined });
    // pipewire-pulse's JSON has no module index: without the sinks it stays unknown.
    expect(mods[0]!.pulseModule).toBeUndefined();
    expect(mods[0]!.id).toBe('?');
  });

  it('fills the module index from the sink owner_module when the sinks are passed', () => {
    const mods = parsePulseModules(MODULES, PREFIX, parsePulseSinks(SINKS, PREFIX));
    expect(mods).toEqual([
      { kind: 'pulse-module', id: '536870914', name: 'hilt-engine-6381', ownerPid: 6381, ownerAlive: undefined, pulseModule: 536870914 },
    ]);
  });

  it('does not match the rig sink module hilt-observed, and matches it under its own prefix', () => {
    expect(parsePulseModules(MODULES, PREFIX).map((m) => m.name)).not.toContain('hilt-observed');
    const own = parsePulseModules(MODULES, 'hilt-observed', parsePulseSinks(SINKS, 'hilt-observed'));
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ name: 'hilt-observed', pulseModule: 536870913, ownerPid: undefined });
  });

  it('finds nothing for an unused prefix', () => {
    expect(parsePulseModules(MODULES, 'nothing-here', parsePulseSinks(SINKS, 'nothing-here'))).toEqual([]);
  });

  it('uses the module index when the server gives one, and the module name when there is no sink_name', () => {
    const text = JSON.stringify([
      { index: 7, name: 'module-null-sink', argument: 'sink_name="hilt-engine-9" rate=48000' },
      { name: 'hilt-engine-10-loopback', argument: '' },
    ]);
    const mods = parsePulseModules(text, PREFIX);
    expect(mods.map((m) => [m.name, m.id, m.pulseModule, m.ownerPid])).toEqual([
      ['hilt-engine-9', '7', 7, 9],
      ['hilt-engine-10-loopback', '?', undefined, 10],
    ]);
  });
});

describe('parsePwDump on recorded pw-dump output', () => {
  it('finds the orphan tap node and only it', () => {
    const nodes = parsePwDump(DUMP, PREFIX);
    expect(nodes).toEqual([{ kind: 'pw-node', id: '43', name: 'hilt-engine-6381', ownerPid: 6381, ownerAlive: undefined }]);
  });

  it('finds nothing for an unused prefix', () => {
    expect(parsePwDump(DUMP, 'nothing-here')).toEqual([]);
  });

  it('reads every object of the dump, nodes included', () => {
    const all = parseJsonArrays(DUMP);
    expect(all.length).toBeGreaterThan(20);
    const nodeNames = all
      .filter((o) => o.type === 'PipeWire:Interface:Node')
      .map((o) => ((o.info as Record<string, unknown>).props as Record<string, unknown>)['node.name']);
    expect(nodeNames).toEqual(['Dummy-Driver', 'Freewheel-Driver', 'hilt-observed', 'hilt-engine-6381']);
  });

  it('ignores non-node objects whose props carry the prefix', () => {
    const text = JSON.stringify([
      { id: 1, type: 'PipeWire:Interface:Client', info: { props: { 'node.name': 'hilt-engine-1' } } },
      { id: 2, type: 'PipeWire:Interface:Node', info: { props: { 'node.name': 'hilt-engine-2' } } },
      { id: 3, type: 'PipeWire:Interface:Node', info: null },
    ]);
    expect(parsePwDump(text, PREFIX).map((o) => o.id)).toEqual(['2']);
  });
});

describe('parseJsonArrays', () => {
  it('concatenates two arrays printed one after the other', () => {
    const text = '[{"id":1},{"id":2}]\n[{"id":3}]\n';
    expect(parseJsonArrays(text)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('concatenates a recorded dump followed by a second array', () => {
    const second = '[{"id":99,"type":"PipeWire:Interface:Node","info":{"props":{"node.name":"hilt-engine-7"}}}]';
    const nodes = parsePwDump(DUMP + second, PREFIX);
    expect(nodes.map((n) => [n.id, n.name, n.ownerPid])).toEqual([
      ['43', 'hilt-engine-6381', 6381],
      ['99', 'hilt-engine-7', 7],
    ]);
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
  it('reads pid, comm, state and ppid when comm holds spaces and parentheses', () => {
    const text = '4242 (my (odd) proc) x) S 17 4242 4242 0 -1 4194560 120 0 0 0\n';
    expect(parseProcStat(text)).toEqual({ pid: 4242, comm: 'my (odd) proc) x', state: 'S', ppid: 17 });
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
