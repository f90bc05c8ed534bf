// The prefix view of one whole-server snapshot, on output recorded from a PipeWire 0.3.65 server
// right after engine pid 6381 was SIGKILLed (fixtures/recorded/): its tap hilt-engine-6381 is an
// orphan (a module, its sink, its node); hilt-observed is the rig's own sink.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { byPrefix } from './by-prefix.ts';
import type { InventoryObject } from './objects.ts';
import { parseServer } from './parse-server.ts';

const recorded = (file: string) => readFileSync(new URL(`../../fixtures/recorded/${file}`, import.meta.url), 'utf8');
const SERVER = parseServer({
  modules: recorded('pactl-modules.json'),
  sinks: recorded('pactl-sinks.json'),
  sources: '[]',
  sinkInputs: '[]',
  sourceOutputs: '[]',
  dump: recorded('pw-dump.json'),
});

describe('byPrefix on a recorded server', () => {
  it("claims the dead engine's module (by its sink_name, index from the sink), sink and node, owner from the name", () => {
    expect(byPrefix(SERVER, 'hilt-engine')).toEqual([
      { kind: 'pulse-module', id: '536870914', name: 'hilt-engine-6381', ownerPid: 6381, ownerAlive: undefined, pulseModule: 536870914 },
      { kind: 'pulse-sink', id: '51', name: 'hilt-engine-6381', ownerPid: 6381, ownerAlive: undefined, pulseModule: 536870914 },
      { kind: 'pw-node', id: '43', name: 'hilt-engine-6381', ownerPid: 6381, ownerAlive: undefined },
    ]);
  });

  it("claims the rig's own sink only under its own prefix, and nothing for an unused one", () => {
    const own = byPrefix(SERVER, 'hilt-observed');
    expect(own.map((o) => [o.kind, o.name, o.ownerPid])).toEqual([
      ['pulse-module', 'hilt-observed', undefined],
      ['pulse-sink', 'hilt-observed', undefined],
      ['pw-node', 'hilt-observed', undefined],
    ]);
    expect(byPrefix(SERVER, 'nothing-here')).toEqual([]);
  });

  it('does not claim a name that merely starts with the prefix, nor streams, clients or links', () => {
    const o = (kind: InventoryObject['kind'], name: string, detail?: string): InventoryObject => ({
      kind,
      id: '1',
      name,
      ownerPid: undefined,
      ownerAlive: undefined,
      ...(detail && { detail }),
    });
    const server = [
      o('pulse-sink', 'hilt-engineer-5'),
      o('pulse-module', 'module-null-sink', 'sink_name=hilt-engineer-5'),
      o('pulse-module', 'module-null-sink', 'sink_name="hilt-engine-9" rate=48000'),
      o('pulse-stream', 'hilt-engine-9'),
      o('pw-client', 'hilt-engine-9'),
      o('pw-link', 'hilt-engine-9 -> hilt-observed'),
      o('jack-client', 'hilt-engine-9-midi'),
    ];
    expect(byPrefix(server, 'hilt-engine').map((x) => [x.kind, x.name, x.ownerPid])).toEqual([
      ['pulse-module', 'hilt-engine-9', 9],
      ['pw-node', 'hilt-engine-9-midi', 9],
    ]);
  });
});
