import { describe, expect, it } from 'vitest';
import { HiltError } from '../errors.ts';
import { failure } from './entry.ts';

describe('failure: one table from error codes to exit codes', () => {
  it('a usage error is 2, with the usage text after it', () => {
    const f = failure(new HiltError('USAGE', 'unknown flag --frobnicate'), 'hilt gate', 'usage: pnpm gate ...');
    expect(f).toEqual({ code: 2, said: 'hilt gate: unknown flag --frobnicate\n\nusage: pnpm gate ...\n' });
  });

  it('bad input (a config, a rig file, the gate input) is 2 without the usage text; a missing part is 77', () => {
    expect(failure(new HiltError('GATE_INPUT', 'policy.json: no such file'), 'hilt gate', 'u')).toEqual({
      code: 2,
      said: 'hilt gate: policy.json: no such file\n',
    });
    expect(failure(new HiltError('RIG_CONFIG', 'x'), 'hilt rig', 'u').code).toBe(2);
    expect(failure(new HiltError('RIG_MISSING', 'pipewire is not installed'), 'hilt rig', 'u').code).toBe(77);
  });

  it('anything else is hilt itself broken: 1, said as an internal error with its stack', () => {
    const f = failure(new TypeError('x is undefined'), 'hilt report', 'u');
    expect(f.code).toBe(1);
    expect(f.said).toMatch(/^hilt report: internal error \(a defect in hilt, please report it\): TypeError: x is undefined\n {4}at /);
    expect(failure(new HiltError('TOOL_FAILED', 'pactl failed'), 'hilt rig', 'u').code).toBe(1);
  });
});
