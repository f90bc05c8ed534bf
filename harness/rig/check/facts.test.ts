import { describe, expect, it } from 'vitest';
import { isCheckObject, osPrettyName, parseDevices, toolFacts, verdictOf, wireplumberRuleLine, type CheckLine } from './facts.ts';
import { serverLocation, sessionChanges, sessionState } from '../session.ts';

it('osPrettyName reads PRETTY_NAME, quoted or not', () => {
  expect(osPrettyName('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n')).toBe(
    'Debian GNU/Linux 12 (bookworm)',
  );
  expect(osPrettyName('PRETTY_NAME=Alpine\n')).toBe('Alpine');
  expect(osPrettyName('ID=x\n')).toBeUndefined();
});

describe('serverLocation: found the way clients find it', () => {
  const exists = (p: string) => p === '/run/user/1000/pulse/native';
  it('PULSE_SERVER first, then $XDG_RUNTIME_DIR/pulse/native', () => {
    expect(serverLocation({ PULSE_SERVER: 'tcp:box:4713', XDG_RUNTIME_DIR: '/run/user/1000' }, exists)).toEqual({
      ok: true,
      how: 'PULSE_SERVER=tcp:box:4713',
    });
    expect(serverLocation({ XDG_RUNTIME_DIR: '/run/user/1000' }, exists)).toEqual({
      ok: true,
      how: '/run/user/1000/pulse/native',
      socket: '/run/user/1000/pulse/native',
    });
  });
  it('says what is missing: no session variables, or no socket', () => {
    expect(serverLocation({}, exists)).toMatchObject({
      ok: false,
      seen: expect.stringMatching(/neither PULSE_SERVER nor XDG_RUNTIME_DIR/),
    });
    expect(serverLocation({ XDG_RUNTIME_DIR: '/run/user/0' }, exists)).toMatchObject({
      ok: false,
      seen: expect.stringMatching(/no server socket at \/run\/user\/0\/pulse\/native/),
    });
  });
});

// Shapes as pactl 16 prints them (-f json), trimmed to the keys read.
const SINKS = JSON.stringify([
  {
    index: 1,
    name: 'alsa_output.pci',
    description: 'Built-in Audio',
    monitor_source: 'alsa_output.pci.monitor',
    mute: false,
    volume: { 'front-left': { value: 65536 }, 'front-right': { value: 65536 } },
  },
  { index: 2, name: 'hilt-check-7', description: 'hilt-check-7', monitor_source: 'hilt-check-7.monitor', mute: false, volume: {} },
]);
const SOURCES = JSON.stringify([
  {
    index: 3,
    name: 'alsa_output.pci.monitor',
    description: 'Monitor of Built-in Audio',
    monitor_source: 'alsa_output.pci',
    mute: false,
    volume: {},
  },
  { index: 4, name: 'alsa_input.pci', description: 'Built-in Mic', monitor_source: 'n/a', mute: true, volume: { mono: { value: 30000 } } },
]);
const INPUTS = JSON.stringify([
  { index: 9, sink: 1, mute: false, volume: { 'front-left': { value: 40000 } }, properties: { 'application.name': 'Firefox' } },
  { index: 10, sink: 2, mute: false, volume: {}, properties: { 'application.name': 'hilt-rig-check' } },
]);

describe('parseDevices', () => {
  it('marks monitors (a source whose monitor_source names a sink) and keeps descriptions', () => {
    expect(parseDevices(SINKS, 'sinks')[0]).toEqual({ name: 'alsa_output.pci', description: 'Built-in Audio' });
    expect(parseDevices(SOURCES, 'sources')).toEqual([
      { name: 'alsa_output.pci.monitor', description: 'Monitor of Built-in Audio', monitorOf: 'alsa_output.pci' },
      { name: 'alsa_input.pci', description: 'Built-in Mic' },
    ]);
    expect(parseDevices(JSON.stringify([{ name: 'm', monitor_of_sink: 's' }]), 'sources')).toEqual([{ name: 'm', monitorOf: 's' }]);
  });
});

describe('the session state the check must leave as it found it', () => {
  const state = (over: Partial<{ defaultSink: string; sinks: string; sinkInputs: string }> = {}) =>
    sessionState(
      {
        defaultSink: 'alsa_output.pci\n',
        defaultSource: 'alsa_input.pci\n',
        sinks: SINKS,
        sources: SOURCES,
        sinkInputs: INPUTS,
        sourceOutputs: '[]',
        ...over,
      },
      (n) => isCheckObject(n, 'hilt-check-7'),
    );

  it("leaves the check's own sink and streams out", () => {
    const s = state();
    expect(Object.keys(s.devices)).toEqual(['sink alsa_output.pci', 'source alsa_output.pci.monitor', 'source alsa_input.pci']);
    expect(s.streams).toEqual({ 'sink-input 9 (Firefox)': 'on sink 1, volume front-left=40000, not muted' });
    expect(s.defaultSink).toBe('alsa_output.pci');
  });

  it('no change: nothing to say', () => {
    expect(sessionChanges(state(), state())).toEqual([]);
  });

  it('says every change: default, a volume, a stream moved; streams of other programs may come and go', () => {
    const moved = JSON.stringify([
      { ...JSON.parse(INPUTS)[0], sink: 5 },
      { index: 11, sink: 1, properties: { 'application.name': 'mpv' } },
    ]);
    const louder = JSON.stringify([
      { ...JSON.parse(SINKS)[0], volume: { 'front-left': { value: 65536 }, 'front-right': { value: 70000 } } },
    ]);
    expect(sessionChanges(state(), state({ defaultSink: 'hilt-check-7', sinks: louder, sinkInputs: moved }))).toEqual([
      'default sink was alsa_output.pci, is hilt-check-7',
      'sink alsa_output.pci: was volume front-left=65536 front-right=65536, not muted, ' +
        'is volume front-left=65536 front-right=70000, not muted',
      'sink-input 9 (Firefox): was on sink 1, volume front-left=40000, not muted, is on sink 5, volume front-left=40000, not muted',
    ]);
    expect(sessionChanges(state(), state({ sinkInputs: '[]' }))).toEqual([]);
  });

  it('a device of the user gone or new is a change', () => {
    expect(sessionChanges(state(), state({ sinks: '[]' }))).toEqual(['sink alsa_output.pci is gone']);
  });
});

describe('toolFacts', () => {
  const find = (have: string[]) => (t: string) => (have.includes(t) ? `/usr/bin/${t}` : undefined);
  it('Linux: the debugger, Xvfb, Wine (wine64 or wine) and mingw, each with its apt command', () => {
    const t = toolFacts('linux', 'gdb', 'apt-get install gdb', find(['gdb', 'wine']));
    expect(t.map((x) => [x.id, x.tool, x.path ?? 'absent'])).toEqual([
      ['debugger', 'gdb', '/usr/bin/gdb'],
      ['xvfb', 'Xvfb', 'absent'],
      ['wine', 'wine', '/usr/bin/wine'],
      ['mingw', 'x86_64-w64-mingw32-g++', 'absent'],
    ]);
    expect(t[1]!.install).toMatch(/^sudo apt-get install -y xvfb/);
  });
  it('macOS and Windows: only their debugger', () => {
    expect(toolFacts('darwin', 'lldb', 'xcode-select --install', find([])).map((x) => x.id)).toEqual(['debugger']);
  });
});

describe('verdictOf', () => {
  const line = (id: string, status: CheckLine['status'], required: boolean, fix?: string): CheckLine => ({
    id,
    status,
    text: id,
    required,
    ...(fix ? { fix } : {}),
  });
  it('usable when every required line is ok; optional parts missing do not count, but are listed', () => {
    const v = verdictOf([
      line('server', 'ok', true),
      line('midi', 'missing', false, 'modprobe snd-virmidi'),
      line('wine', 'info', false, 'apt'),
    ]);
    expect(v).toEqual({ usable: true, missing: ['midi: modprobe snd-virmidi'] });
  });
  it('unusable when a required line is missing or failed', () => {
    expect(verdictOf([line('server', 'missing', true, 'apt-get install pipewire')]).usable).toBe(false);
    expect(verdictOf([line('server', 'ok', true), line('loopback', 'failed', true)]).usable).toBe(false);
  });
});

describe('wireplumberRuleLine', () => {
  const rule =
    'table.insert(stream_defaults.rules, { matches = {{{ "application.name", "matches", "hilt-*" }}}, ' +
    'apply_properties = { ["state.restore-props"] = false } })';
  it("ok when the user's config has hilt's rule; the fix names the user's config dir otherwise", () => {
    const files: Record<string, string> = { '/home/r/.config/wireplumber/main.lua.d/51-hilt-not-saved.lua': rule };
    const list = (dir: string) =>
      Object.keys(files)
        .filter((f) => f.startsWith(`${dir}/`))
        .map((f) => f.slice(dir.length + 1));
    const read = (f: string) => files[f]!;
    expect(wireplumberRuleLine({ HOME: '/home/r' }, list, read)).toMatchObject({ status: 'ok', required: false });
    const none = wireplumberRuleLine({ HOME: '/home/r', XDG_CONFIG_HOME: '/cfg' }, list, read);
    expect(none).toMatchObject({ status: 'missing', required: false });
    expect(none.fix).toMatch(/^mkdir -p \/cfg\/wireplumber\/main\.lua\.d && cp harness\/rig\/wireplumber\/51-hilt-not-saved\.lua /);
  });
});
