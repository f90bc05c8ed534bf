import { describe, expect, it } from 'vitest';
import { cookieVariables, othersStreams, sessionChanges, sessionState, sessionVariables } from './session.ts';

describe('sessionVariables: the server a run attaches to', () => {
  const isDir = (p: string) => p === '/run/user/1000';
  it("no --rig-server: the session's own variables, nothing else", () => {
    expect(sessionVariables({ XDG_RUNTIME_DIR: '/run/user/1000', HOME: '/home/a', PATH: '/bin' }, undefined, isDir)).toEqual({
      XDG_RUNTIME_DIR: '/run/user/1000',
    });
  });
  it('a runtime dir, a socket path, a unix: address, a tcp: address', () => {
    const all = {
      XDG_RUNTIME_DIR: '/run/user/1000',
      PIPEWIRE_RUNTIME_DIR: '/run/user/1000',
      PULSE_SERVER: 'unix:/run/user/1000/pulse/native',
    };
    expect(sessionVariables({}, '/run/user/1000', isDir)).toEqual(all);
    expect(sessionVariables({}, '/run/user/1000/pulse/native', isDir)).toEqual(all);
    expect(sessionVariables({}, 'unix:/run/user/1000/pulse/native', isDir)).toEqual(all);
    expect(sessionVariables({ XDG_RUNTIME_DIR: '/x' }, 'tcp:box:4713', isDir)).toEqual({ PULSE_SERVER: 'tcp:box:4713' });
  });
});

describe('session state with modules', () => {
  const lists = (modules: string, inputs = '[]') => ({
    defaultSink: 'speakers',
    defaultSource: 'mic',
    sinks: '[]',
    sources: '[]',
    sinkInputs: inputs,
    sourceOutputs: '[]',
    modules,
  });
  const MODULES = '1\tmodule-always-sink\t\n7\tmodule-null-sink\tsink_name=desk\n9\tmodule-null-sink\tsink_name=hilt-observed-12 x=y\n';
  it("keeps the user's modules, leaves hilt's out (their arguments name hilt-...)", () => {
    expect(sessionState(lists(MODULES)).modules).toEqual({
      'module 1 module-always-sink': '',
      'module 7 module-null-sink': 'sink_name=desk',
    });
  });
  it("a module of the user's unloaded, or a new one not hilt's, is a change; hilt's own coming and going is not", () => {
    const before = sessionState(lists(MODULES));
    expect(sessionChanges(before, sessionState(lists('1\tmodule-always-sink\t\n')))).toEqual(['module 7 module-null-sink is gone']);
    expect(sessionChanges(before, sessionState(lists(`${MODULES}12\tmodule-loopback\tsource=mic\n`)))).toEqual([
      'module 12 module-loopback is new',
    ]);
    expect(sessionChanges(before, sessionState(lists(MODULES.replace(/9\t.*\n/, ''))))).toEqual([]);
  });
  it("other programs' streams that came or went are told apart from changes", () => {
    const mpv = JSON.stringify([{ index: 11, sink: 1, properties: { 'application.name': 'mpv' } }]);
    const hilt = JSON.stringify([{ index: 12, sink: 1, properties: { 'application.name': 'hilt-victim' } }]);
    const before = sessionState(lists(MODULES, hilt));
    const after = sessionState(lists(MODULES, mpv));
    expect(sessionChanges(before, after)).toEqual([]);
    expect(othersStreams(before, after)).toEqual(['sink-input 11 (mpv) started']);
  });
});

describe('cookieVariables: nothing written under the home', () => {
  it("a cookie of hilt's own only where libpulse would write one under $HOME", () => {
    const none = () => false;
    expect(cookieVariables({ HOME: '/home/a' }, '/tmp/hilt-x', none)).toEqual({ PULSE_COOKIE: '/tmp/hilt-x/pulse-cookie' });
    expect(cookieVariables({ HOME: '/home/a' }, '/tmp/hilt-x', (p) => p === '/home/a/.config/pulse/cookie')).toEqual({});
    expect(cookieVariables({ HOME: '/h', XDG_CONFIG_HOME: '/c' }, '/t', (p) => p === '/c/pulse/cookie')).toEqual({});
    expect(cookieVariables({ PULSE_COOKIE: '/mine' }, '/t', none)).toEqual({});
  });
});
