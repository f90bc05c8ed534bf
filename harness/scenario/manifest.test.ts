import { describe, expect, it } from 'vitest';
import { HiltError } from '../errors.ts';
import {
  bugConflict,
  count,
  flag,
  missingNeeds,
  ms,
  osRefusal,
  Params,
  resolveParams,
  runsOn,
  windowsParamRefusal,
  word,
  words,
  type ScenarioManifest,
} from './manifest.ts';

const toy: ScenarioManifest = {
  name: 'toy',
  file: 'scenarios/toy.scenario.ts',
  summary: 's',
  description: 'd',
  postmortem: 'none',
  params: {
    n: count(3, 'how many', 1, 10),
    wait_ms: ms(100, 'how long'),
    mode: word(['a', 'b'], 'a', 'which'),
    how: words(['x', 'y', 'z'], ['x', 'y'], 'which ends'),
    core: flag(true, 'cores'),
  },
  needs: { traits: ['reference-engine'], controls: ['stop'] },
  bugs: [],
};

const usage = (set: Record<string, string>): string => {
  try {
    resolveParams(toy, set);
  } catch (e) {
    expect((e as HiltError).code).toBe('USAGE');
    return (e as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('resolveParams', () => {
  it('fills defaults and parses what was given', () => {
    expect(resolveParams(toy, {})).toEqual({ n: 3, wait_ms: 100, mode: 'a', how: ['x', 'y'], core: true });
    expect(resolveParams(toy, { n: '10', mode: 'b', how: 'z, x', core: 'off' })).toMatchObject({
      n: 10,
      mode: 'b',
      how: ['z', 'x'],
      core: false,
    });
  });

  it('names an unknown key and the known ones', () => {
    expect(usage({ cuont: '5' })).toMatch(/--set cuont: toy has no parameter "cuont" \(its parameters: n, wait_ms, mode, how, core\)/);
  });

  it('rejects values outside their kind, saying what is allowed, every problem at once', () => {
    const m = usage({ n: '11', wait_ms: '1.5', mode: 'c', how: 'x,w', core: 'maybe' });
    expect(m).toMatch(/--set n=11: expected a whole number from 1 to 10/);
    expect(m).toMatch(/--set wait_ms=1.5: expected a whole number from 1 to 600000 \(ms\)/);
    expect(m).toMatch(/--set mode=c: expected one of a, b/);
    expect(m).toMatch(/--set how=x,w: expected a comma list of x, y, z/);
    expect(m).toMatch(/--set core=maybe: expected on or off/);
    expect(usage({ n: '' })).toMatch(/--set n=: expected/);
  });
});

describe('Params', () => {
  it('reads typed values and refuses a key the manifest does not declare', () => {
    const p = new Params('toy', resolveParams(toy, { mode: 'b' }));
    expect(p.number('n')).toBe(3);
    expect(p.word('mode')).toBe('b');
    expect(p.words('how')).toEqual(['x', 'y']);
    expect(p.flag('core')).toBe(true);
    expect(() => p.number('nope')).toThrow(/toy reads parameter "nope" \(number\), which its manifest entry does not declare/);
    expect(p.describe()).toBe('n=3 wait_ms=100 mode=b how=x,y core=on');
  });
});

describe('missingNeeds', () => {
  it('lists the traits and controls a target lacks', () => {
    expect(missingNeeds(toy.needs, { traits: ['reference-engine'], controls: { stop: {} } })).toEqual([]);
    expect(missingNeeds(toy.needs, { traits: [], controls: {} })).toEqual(['trait "reference-engine"', 'control "stop"']);
  });
});

describe('bugConflict', () => {
  const m = { ...toy, bugConflicts: [{ bug: 'no-guardian', param: 'mode', value: 'b', why: 'nothing to kill first' }] };
  it('names the bug switch a parameter value makes no sense with, and only that pair', () => {
    expect(bugConflict(m, resolveParams(m, { mode: 'b' }), ['x', 'no-guardian'])).toEqual({
      message: '--set mode=b with --bug no-guardian: nothing to kill first',
      hint: 'drop --bug no-guardian, or another --set mode',
    });
    expect(bugConflict(m, resolveParams(m, { mode: 'a' }), ['no-guardian'])).toBeUndefined();
    expect(bugConflict(m, resolveParams(m, { mode: 'b' }), [])).toBeUndefined();
    expect(bugConflict(toy, resolveParams(toy, {}), ['no-guardian'])).toBeUndefined();
  });
});

describe('osRefusal: which scenarios run on Windows, said before anything starts', () => {
  const base = { name: 's', file: 'f', summary: '', description: '', postmortem: 'finetune-orphans', params: {}, needs: {}, bugs: [] };
  const posix = { ...base, windows: { why: 'SIGTERM has no Windows meaning', hint: 'use stop' } } as ScenarioManifest;
  const anywhere = { ...base, os: ['linux', 'darwin', 'win32'], windows: { traits: ['windows-engine'], why: 'only the engine crashes' } };
  const win = (traits: string[], windowsProgram = true) => ({ name: 't', traits, windowsProgram });

  it('a scenario without `os` runs on Linux and macOS, and is refused on Windows with its reason and hint', () => {
    expect(runsOn(posix, 'linux') && runsOn(posix, 'darwin')).toBe(true);
    expect(osRefusal(posix, 'linux')).toBeUndefined();
    expect(osRefusal(posix, 'win32')).toEqual({
      message: 's does not run on win32 (only linux, darwin): SIGTERM has no Windows meaning',
      hint: 'use stop',
    });
  });

  it('on Windows a target must be a Windows program and have the traits the scenario needs there', () => {
    const m = anywhere as ScenarioManifest;
    expect(osRefusal(m, 'win32', win(['windows-engine']))).toBeUndefined();
    expect(osRefusal(m, 'win32', win([]))?.message).toBe(
      's on Windows needs a target with trait windows-engine; t has not: only the engine crashes',
    );
    expect(osRefusal(m, 'win32', win(['windows-engine'], false))?.message).toMatch(
      /^t is not a Windows program: hilt on Windows runs only/,
    );
    expect(osRefusal(m, 'linux', win([], false))).toBeUndefined(); // Linux runs either kind
  });
});

describe('osRefusal on macOS: black boxes only (the reference engine and the test programs are not built there)', () => {
  const base = { name: 'kill9', file: 'f', summary: '', description: '', postmortem: 'finetune-orphans', params: {}, needs: {}, bugs: [] };
  const blackBoxes = { ...base, macos: { target: 'fixtures/targets/mac-sox-play.json' } } as ScenarioManifest;
  const t = (traits: string[], windowsProgram = false) => ({ name: 't', traits, windowsProgram });
  it('the reference engine is refused before anything starts, pointing at a program of the Mac', () => {
    expect(osRefusal(blackBoxes, 'darwin', t(['reference-engine', 'taps-victim']))).toEqual({
      message:
        't is not a program hilt runs on macOS (reference-engine): the reference engine and the other test programs are built ' +
        'for Linux and Windows; on macOS hilt judges black boxes',
      hint: 'give --target a program of this Mac (fixtures/targets/mac-sox-play.json plays a tone with SoX)',
    });
    expect(osRefusal(blackBoxes, 'darwin', t([]))).toBeUndefined();
    expect(osRefusal(blackBoxes, 'linux', t(['reference-engine']))).toBeUndefined();
  });
  it('a Windows program, and a scenario with no black-box form, are refused too', () => {
    expect(osRefusal(blackBoxes, 'darwin', t([], true))?.message).toMatch(/^t is not a program hilt runs on macOS \(a Windows program\)/);
    const gc = { ...base, name: 'gc-teardown' } as ScenarioManifest;
    expect(osRefusal(gc, 'darwin', t(['gc-churn-program']))?.hint).toBe('gc-teardown has no black-box form: run it on Linux');
  });
});

describe('a Windows-only stop method (ctrl-break, wm-close)', () => {
  const stop = { name: 'stop', file: 'f', summary: '', description: '', postmortem: 'finetune-orphans', params: {}, needs: {}, bugs: [] };
  const m = { ...stop, os: ['linux', 'darwin', 'win32'], stopsByConfig: true } as ScenarioManifest;
  const t = (stopMethod: string) => ({ name: 't', traits: [], windowsProgram: true, stopMethod });
  it('is refused off Windows for a scenario that stops by the config, before anything starts', () => {
    expect(osRefusal(m, 'linux', t('ctrl-break'))?.message).toBe(
      't\'s stop method "ctrl-break" is sent by hilt running on Windows; this is linux',
    );
    expect(osRefusal(m, 'win32', t('wm-close'))).toBeUndefined();
    expect(osRefusal(m, 'linux', t('stdin-close'))).toBeUndefined();
    expect(osRefusal({ ...m, stopsByConfig: undefined }, 'linux', t('ctrl-break'))).toBeUndefined(); // kill9 never asks it to stop
  });
});

describe('windowsParamRefusal: a value with no Windows meaning', () => {
  const base = { name: 'kill9', file: 'f', summary: '', description: '', postmortem: 'finetune-orphans', params: {}, needs: {}, bugs: [] };
  const m = { ...base, windows: { allow: { scope: ['pid', 'tree'] }, why: 'no process group to kill', hint: 'use scope=pid' } };
  it('refuses it naming the values Windows takes, why and what to do; takes the others', () => {
    expect(windowsParamRefusal(m as ScenarioManifest, { scope: 'group' })).toEqual({
      message: 'kill9 --set scope=group does not run on Windows (there: pid, tree): no process group to kill',
      hint: 'use scope=pid',
    });
    expect(windowsParamRefusal(m as ScenarioManifest, { scope: 'tree' })).toBeUndefined();
    expect(windowsParamRefusal(base as ScenarioManifest, { scope: 'group' })).toBeUndefined();
  });
});
