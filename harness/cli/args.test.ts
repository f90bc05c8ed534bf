import { describe, expect, it } from 'vitest';
import { HiltError } from '../errors.ts';
import { parseScenarioArgs } from './args.ts';

// The HiltError thrown by parsing argv, or a failure if nothing is thrown.
const usageError = (argv: string[]): HiltError => {
  try {
    parseScenarioArgs(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(HiltError);
    expect((e as HiltError).code).toBe('USAGE');
    return e as HiltError;
  }
  throw new Error(`expected a USAGE error for ${JSON.stringify(argv)}`);
};

describe('parseScenarioArgs: accepted forms', () => {
  it('has defaults for an empty command line', () => {
    expect(parseScenarioArgs([])).toEqual({
      list: false,
      help: false,
      version: false,
      all: false,
      scenarios: [],
      rig: 'virtual',
      repeat: 1,
      bugs: [],
      set: {},
    });
  });

  it('reads --list', () => {
    const a = parseScenarioArgs(['--list']);
    expect(a.list).toBe(true);
    expect(a.scenario).toBeUndefined();
  });

  it('reads --help and -h', () => {
    expect(parseScenarioArgs(['--help']).help).toBe(true);
    expect(parseScenarioArgs(['-h']).help).toBe(true);
  });

  it('reads a scenario name', () => {
    const a = parseScenarioArgs(['kill-orphan']);
    expect(a.scenario).toBe('kill-orphan');
    expect(a.list).toBe(false);
  });

  it('reads every option around the scenario name', () => {
    const a = parseScenarioArgs([
      '--target',
      't.json',
      'kill-orphan',
      '--rig',
      'system',
      '--repeat',
      '3',
      '--seed',
      '42',
      '--out',
      'reports/x',
    ]);
    expect(a).toEqual({
      list: false,
      help: false,
      version: false,
      all: false,
      scenario: 'kill-orphan',
      scenarios: ['kill-orphan'],
      target: 't.json',
      rig: 'system',
      repeat: 3,
      seed: 42,
      bugs: [],
      set: {},
      out: 'reports/x',
    });
  });

  it('splits --bug a,b on commas and accumulates repeated --bug', () => {
    expect(parseScenarioArgs(['s', '--bug', 'a,b']).bugs).toEqual(['a', 'b']);
    expect(parseScenarioArgs(['s', '--bug', 'a', '--bug', 'b,c']).bugs).toEqual(['a', 'b', 'c']);
    expect(parseScenarioArgs(['s', '--bug', 'a,,b,']).bugs).toEqual(['a', 'b']);
  });

  it('reads --set key=value, keeping "=" inside the value, and repeated --set', () => {
    const a = parseScenarioArgs(['s', '--set', 'k=v', '--set', 'expr=a=b=c', '--set', 'empty=']);
    expect(a.set).toEqual({ k: 'v', expr: 'a=b=c', empty: '' });
  });

  it('accepts the --flag=value inline form', () => {
    const a = parseScenarioArgs([
      '--rig=system',
      '--repeat=2',
      '--seed=7',
      '--bug=x,y',
      '--set=k=v=w',
      '--target=a=b.json',
      '--out=o',
      's',
    ]);
    expect(a).toMatchObject({
      scenario: 's',
      rig: 'system',
      repeat: 2,
      seed: 7,
      bugs: ['x', 'y'],
      set: { k: 'v=w' },
      target: 'a=b.json',
      out: 'o',
    });
  });

  it('takes an inline value that starts with --', () => {
    expect(parseScenarioArgs(['s', '--out=--weird']).out).toBe('--weird');
  });
});

describe('parseScenarioArgs: usage errors', () => {
  it('rejects --repeat 0 and --repeat abc', () => {
    expect(usageError(['s', '--repeat', '0']).message).toMatch(/--repeat needs a whole number >= 1/);
    expect(usageError(['s', '--repeat', 'abc']).message).toMatch(/--repeat/);
    expect(usageError(['s', '--repeat', '1.5']).message).toMatch(/--repeat/);
    expect(usageError(['s', '--repeat=-1']).message).toMatch(/--repeat/);
  });

  it('rejects a --seed that is not a whole number from 0 to 2^32-1, saying what a seed is', () => {
    expect(usageError(['s', '--seed', 'abc']).message).toMatch(/--seed needs a whole number from 0 to 4294967295/);
    expect(usageError(['s', '--seed=']).message).toMatch(/--seed needs a whole number/);
    expect(usageError(['s', '--seed=-42']).message).toMatch(/not "-42": a seed picks a run's random choices/);
    expect(usageError(['s', '--seed', '4294967296']).message).toMatch(/--seed needs/);
    expect(parseScenarioArgs(['s', '--seed', '4294967295']).seed).toBe(4294967295);
  });

  it('reads --version', () => {
    expect(parseScenarioArgs(['--version']).version).toBe(true);
  });

  it('rejects an unknown flag, long or short, plain or inline', () => {
    expect(usageError(['s', '--bogus']).message).toMatch(/unknown flag --bogus/);
    expect(usageError(['s', '--bogus=1']).message).toMatch(/unknown flag --bogus$/m);
    expect(usageError(['-x']).message).toMatch(/unknown flag -x/);
  });

  it('reads several scenario names in order; refuses one named twice, names with --all, and a replay without its seed', () => {
    expect(parseScenarioArgs(['kill9', 'crash', 'sigterm']).scenarios).toEqual(['kill9', 'crash', 'sigterm']);
    expect(usageError(['kill9', 'kill9']).message).toMatch(/scenario "kill9" named twice: use --repeat N/);
    expect(usageError(['--all', 'kill9']).message).toMatch(/--all runs every scenario: name none with it/);
    expect(parseScenarioArgs(['--all']).all).toBe(true);
    expect(usageError(['kill9', '--only-repetition', '3']).message).toMatch(/give that run's --seed too/);
    expect(usageError(['kill9', 'crash', '--seed', '1', '--only-repetition', '3']).message).toMatch(/name exactly one/);
    expect(usageError(['kill9', '--seed', '1', '--only-repetition', '0']).message).toMatch(/a run number >= 1, not "0"/);
    expect(parseScenarioArgs(['kill9', '--seed', '5', '--only-repetition', '7']).onlyRepetition).toBe(7);
  });

  it('rejects --rig bogus', () => {
    expect(usageError(['s', '--rig', 'bogus']).message).toMatch(/--rig must be virtual or system, not "bogus"/);
    usageError(['s', '--rig=bogus']);
  });

  it('rejects a flag whose value is missing at the end', () => {
    for (const flag of ['--target', '--rig', '--repeat', '--seed', '--bug', '--set', '--out']) {
      expect(usageError(['s', flag]).message).toMatch(new RegExp(`^${flag} needs a value`));
    }
  });

  it('does not take the next flag as a value', () => {
    expect(usageError(['s', '--target', '--list']).message).toMatch(/--target needs a value/);
  });

  it('rejects --set without a key', () => {
    expect(usageError(['s', '--set', 'novalue']).message).toMatch(/--set needs key=value, not "novalue"/);
    usageError(['s', '--set', '=v']);
  });

  it('carries a hint pointing at --list', () => {
    expect(usageError(['one', 'one']).hint).toMatch(/--list/);
  });
});
