import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { objectKey } from './objects.ts';
import {
  pactlLists,
  oneLine,
  parseServer,
  parseMidiPorts,
  parseServerDump,
  parseServerModules,
  parseServerSinks,
  parseServerSources,
  parseServerStreams,
  parseShortModules,
  streamOwners,
} from './parse-server.ts';

// Recorded from a virtual rig (PipeWire 0.3.65) with: `pactl load-module module-null-sink
// sink_name=app-123`, `pw-cli create-node adapter '{ factory.name=support.null-audio-sink
// node.name=linger-test media.class=Audio/Sink object.linger=true }'`, pacat (pid 13867) playing
// as rec-pacat, `pw-loopback --name rec-loopback` (pid 13868) and a JACK client rec-jack through
// pipewire-jack (pid 13869). The rig: hilt-observed and its capture hilt-recorder (pid 13863);
// pipewire-pulse 13856, wireplumber 13854. pw-dump trimmed: params dropped, one object per other type.
const recorded = (file: string) => readFileSync(new URL(`./recorded/${file}`, import.meta.url), 'utf8');
const OUT = {
  modules: recorded('pactl-modules.json'),
  sinks: recorded('pactl-sinks.json'),
  sources: recorded('pactl-sources.json'),
  sinkInputs: recorded('pactl-sink-inputs.json'),
  sourceOutputs: recorded('pactl-source-outputs.json'),
  dump: recorded('pw-dump.json'),
};

describe('parseServerModules on recorded pactl output', () => {
  it('lists every module, named by module name, the argument as detail, the index from its sink', () => {
    const mods = parseServerModules(OUT.modules, parseServerSinks(OUT.sinks));
    expect(mods).toHaveLength(15);
    expect(mods.filter((m) => m.name === 'module-null-sink')).toEqual([
      {
        kind: 'pulse-module',
        id: '536870913',
        name: 'module-null-sink',
        ownerPid: undefined,
        ownerAlive: undefined,
        key: 'pulse-module:module-null-sink sink_name=hilt-observed sink_properties=device.description=hilt-observed',
        pulseModule: 536870913,
        detail: 'sink_name=hilt-observed sink_properties=device.description=hilt-observed',
      },
      {
        kind: 'pulse-module',
        id: '536870914',
        name: 'module-null-sink',
        ownerPid: undefined,
        ownerAlive: undefined,
        key: 'pulse-module:module-null-sink sink_name=app-123 sink_properties=device.description=app-123',
        pulseModule: 536870914,
        detail: 'sink_name=app-123 sink_properties=device.description=app-123',
      },
    ]);
  });

  it("puts pipewire's multi-line config arguments on one line, and leaves an unknown index '?'", () => {
    const rt = parseServerModules(OUT.modules).find((m) => m.name === 'libpipewire-module-rt')!;
    expect(rt.detail).toBe('{ nice.level = -11 #rt.prio = 88 #rt.time.soft = -1 #rt.time.hard = -1 }');
    expect(rt.id).toBe('?');
    expect(rt.pulseModule).toBeUndefined();
    expect(parseServerModules(OUT.modules).find((m) => m.name === 'module-always-sink')).toMatchObject({
      key: 'pulse-module:module-always-sink',
      detail: undefined,
    });
  });

  it('keys by name and argument, not index; two identical modules stay two objects', () => {
    const text = JSON.stringify([
      { index: 7, name: 'module-null-sink', argument: 'sink_name=x' },
      { index: 9, name: 'module-null-sink', argument: 'sink_name=x' },
    ]);
    const again = JSON.stringify([{ index: 3, name: 'module-null-sink', argument: 'sink_name=x' }]);
    const keys = parseServerModules(text).map(objectKey);
    expect(keys).toEqual(['pulse-module:module-null-sink sink_name=x', 'pulse-module:module-null-sink sink_name=x#2']);
    expect(parseServerModules(again).map(objectKey)).toEqual([keys[0]]);
    expect(parseServerModules(text).map((m) => m.pulseModule)).toEqual([7, 9]);
  });
});

describe('parseServerSinks and parseServerSources on recorded pactl output', () => {
  it('lists every sink, the lingering node as a sink without a module', () => {
    expect(parseServerSinks(OUT.sinks).map((s) => [s.id, s.name, s.pulseModule, s.detail, objectKey(s)])).toEqual([
      ['44', 'hilt-observed', 536870913, 'module 536870913, media.class=Audio/Sink', 'pulse-sink:hilt-observed'],
      ['60', 'app-123', 536870914, 'module 536870914, media.class=Audio/Sink', 'pulse-sink:app-123'],
      ['66', 'linger-test', undefined, 'no Pulse module (a PipeWire node), media.class=Audio/Sink', 'pulse-sink:linger-test'],
    ]);
  });

  it('skips the monitor of every sink (all the recorded sources are monitors)', () => {
    expect(parseServerSources(OUT.sources)).toEqual([]);
  });

  it('keeps a real source', () => {
    const text = JSON.stringify([
      { index: 5, name: 'mic-x', owner_module: 12, properties: { 'media.class': 'Audio/Source' } },
      { index: 6, name: 'mic-x.monitor', owner_module: 12, properties: {} },
      { index: 7, name: 'sink-y', monitor_of_sink: 'sink-y', properties: {} },
    ]);
    expect(parseServerSources(text)).toEqual([
      expect.objectContaining({ kind: 'pulse-source', id: '5', name: 'mic-x', pulseModule: 12, key: 'pulse-source:mic-x' }),
    ]);
  });
});

describe('parseServerStreams on recorded pactl output', () => {
  it('lists sink-inputs and source-outputs, owner from application.process.id', () => {
    expect(parseServerStreams(OUT.sinkInputs, OUT.sourceOutputs).map((s) => [s.id, s.name, s.ownerPid, s.detail])).toEqual([
      ['72', 'rec-pacat', 13867, 'sink-input, media.name=/dev/zero'],
      ['78', 'rec-loopback output', undefined, 'sink-input'],
      ['51', 'hilt-recorder', 13863, 'source-output, media.name=hilt-recorder'],
      ['79', 'rec-loopback input', undefined, 'source-output'],
    ]);
  });

  it('keys a stream by direction, index, name and owner', () => {
    expect(parseServerStreams(OUT.sinkInputs, '[]').map(objectKey)).toEqual([
      'pulse-stream:sink-input:72:rec-pacat:13867',
      'pulse-stream:sink-input:78:rec-loopback output:',
    ]);
  });
});

describe('parseServerDump on recorded pw-dump output', () => {
  const all = parseServerDump(OUT.dump);
  const of = (kind: string) => all.filter((o) => o.kind === kind);

  it('lists every node, the lingering one marked, owners from the node or its client', () => {
    expect(of('pw-node').map((n) => [n.id, n.name, n.ownerPid, n.detail])).toEqual([
      ['27', 'Dummy-Driver', undefined, undefined],
      ['28', 'Freewheel-Driver', undefined, undefined],
      ['42', 'hilt-observed', undefined, 'media.class=Audio/Sink'], // pipewire-pulse holds it: no owner
      ['36', 'hilt-recorder', 13863, 'media.class=Stream/Input/Audio'],
      ['51', 'app-123', undefined, 'media.class=Audio/Sink'],
      ['56', 'linger-test', undefined, 'media.class=Audio/Sink, object.linger=true'],
      ['61', 'rec-pacat', 13867, 'media.class=Stream/Output/Audio'],
      ['67', 'output.rec-loopback', 13868, 'media.class=Stream/Output/Audio'], // from its client
      ['68', 'input.rec-loopback', 13868, 'media.class=Stream/Input/Audio'],
    ]);
    expect(objectKey(of('pw-node')[5]!)).toBe('pw-node:56:linger-test');
  });

  it('marks the JACK client and its port (client.api=jack), owned by the process behind its client', () => {
    expect(of('jack-client')).toEqual([
      expect.objectContaining({ id: '80', name: 'rec-jack', ownerPid: 13869, detail: 'client.api=jack', key: 'jack-client:80:rec-jack' }),
    ]);
    expect(of('jack-port')).toEqual([
      expect.objectContaining({ id: '81', name: 'rec-jack:out_1', ownerPid: 13869, detail: 'client.api=jack' }),
    ]);
  });

  it("lists clients (a Pulse client's owner is the app, not pipewire-pulse) but not pw-dump itself", () => {
    const clients = of('pw-client').map((c) => [c.id, c.name, c.ownerPid]);
    expect(clients).toContainEqual(['60', 'rec-pacat', 13867]);
    expect(clients).toContainEqual(['66', 'pw-loopback', 13868]);
    expect(clients).toContainEqual(['79', 'python3.11', 13869]);
    expect(clients).toContainEqual(['30', 'WirePlumber', 13854]);
    expect(clients.map((c) => c[1])).not.toContain('pw-dump');
    expect(of('pw-client').find((c) => c.id === '79')!.detail).toBe('binary python3.11, client.api=jack');
  });

  it('names links by node names, keys them by both ends, not by id', () => {
    const links = of('pw-link');
    expect(links).toHaveLength(8);
    expect(links.find((l) => l.id === '64')).toMatchObject({
      name: 'rec-pacat -> hilt-observed',
      detail: 'output_FL -> playback_FL',
      ownerPid: undefined,
      key: 'pw-link:rec-pacat:output_FL -> hilt-observed:playback_FL',
    });
  });

  it('no other object types (ports of non-JACK nodes, factories, modules, metadata) and unique keys', () => {
    expect(new Set(all.map((o) => o.kind))).toEqual(new Set(['pw-node', 'jack-client', 'pw-client', 'jack-port', 'pw-link']));
    expect(new Set(all.map(objectKey)).size).toBe(all.length);
  });
});

// Recorded from a virtual rig with FluidSynth (pid 26908) running `-a pulseaudio -m jack -o
// midi.jack.id=app-synth`: a Pulse stream FluidSynth and a JACK client app-synth with one MIDI
// input. Clients, nodes and ports only.
describe('parseMidiPorts and streamOwners on recorded pw-dump output (FluidSynth)', () => {
  const dump = recorded('pw-dump-fluidsynth.json');

  it("lists only MIDI ports, by their JACK name, with the owner behind the port's node", () => {
    expect(parseMidiPorts(dump)).toEqual([{ name: 'app-synth:midi_00', direction: 'in', ownerPid: 26908 }]);
    expect(parseMidiPorts(OUT.dump)).toEqual([]); // rec-jack's port carries audio
  });

  it('knows whose audio streams are on the server: playback and capture, not devices', () => {
    expect([...streamOwners(dump)].sort()).toEqual([26906, 26908]); // hilt-recorder, FluidSynth
    expect([...streamOwners(OUT.dump)].sort()).toEqual([13863, 13867, 13868]);
  });
});

describe('parseServer', () => {
  it('puts every part together with unique keys', () => {
    const all = parseServer(OUT);
    expect(all).toHaveLength(15 + 3 + 0 + 4 + 9 + 1 + 1 + 9 + 8);
    expect(new Set(all.map(objectKey)).size).toBe(all.length);
  });
});

// `pactl -f json list` with no type, recorded from a virtual rig with a victim playing; its lists
// were equal, at that moment, to each list asked for alone.
describe('pactlLists on recorded `pactl -f json list`', () => {
  const lists = pactlLists(recorded('pactl-list-all.json'));

  it('splits every list, and the usual parsers read each', () => {
    expect(lists.modules).toHaveLength(14);
    expect(parseServerSinks(lists.sinks).map((s) => s.name)).toEqual(['hilt-observed']);
    const streams = parseServerStreams(lists.sinkInputs, lists.sourceOutputs);
    expect(streams.map((s) => [s.name, s.detail?.split(',')[0]])).toEqual([
      ['hilt-victim', 'sink-input'],
      ['hilt-recorder', 'source-output'],
    ]);
    expect(parseServerModules(lists.modules, parseServerSinks(lists.sinks)).find((m) => m.name === 'module-null-sink')).toMatchObject({
      detail: expect.stringContaining('sink_name=hilt-observed'),
      pulseModule: expect.any(Number),
    });
  });

  it('an empty or missing list is an empty one', () => {
    expect(pactlLists('{"modules":[],"sinks":[]}')).toEqual({
      modules: [],
      sinks: [],
      sources: [],
      sinkInputs: [],
      sourceOutputs: [],
    });
  });
});

describe('parseShortModules on recorded `pactl list short modules`', () => {
  const mods = parseShortModules(recorded('pactl-short-modules.txt'));

  it('reads index, name and argument, a multi-line argument on one line', () => {
    expect(mods).toHaveLength(15);
    expect(mods[0]).toEqual({ index: 1, name: 'libpipewire-module-rt', argument: oneLine(JSON.parse(OUT.modules)[0].argument) });
    expect(mods.at(-1)).toEqual({
      index: 536870914,
      name: 'module-null-sink',
      argument: 'sink_name=app-123 sink_properties=device.description=app-123',
    });
  });

  it('its arguments match the JSON listing, so a module is found again by name and argument', () => {
    const json = parseServerModules(OUT.modules);
    expect(mods.map((m) => `${m.name} ${m.argument}`)).toEqual(json.map((m) => `${m.name} ${m.detail ?? ''}`));
  });

  it('reads a users column when there is one, and nothing from empty text', () => {
    expect(parseShortModules('4\tmodule-x\ta=b\t2\n')).toEqual([{ index: 4, name: 'module-x', argument: 'a=b' }]);
    expect(parseShortModules('')).toEqual([]);
  });
});
