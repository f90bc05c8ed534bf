// macOS: lldb live stacks and the reaper are there; every other fact throws PLATFORM_UNSUPPORTED
// saying what is missing and what would implement it, never an empty answer.
import { describe, expect, test } from 'vitest';
import { isHiltError } from '../errors.ts';
import { darwin } from './darwin.ts';
import { thrownBy } from './unsupported-facts.ts';

const UNSUPPORTED = [
  'process',
  'processState',
  'processes',
  'parentPid',
  'processName',
  'threads',
  'fdCount',
  'children',
  'descendants',
  'processesWithEnv',
  'coreLaunchPrefix',
  'corePattern',
  'isCoreFile',
  'coreDebugger',
  'pythonStackDebugger',
  'resourceLimits',
  'killTree',
] as const;

describe('darwin platform', () => {
  test.each(UNSUPPORTED)('%s throws PLATFORM_UNSUPPORTED naming macOS and what would implement it', async (fact) => {
    const e = await thrownBy(darwin, fact);
    expect(isHiltError(e, 'PLATFORM_UNSUPPORTED')).toBe(true);
    expect((e as Error).message).toMatch(/^.+ on macOS: not implemented yet \(would use .+\)/);
    expect((e as Error).message).toMatch(/to fix: {3}implement it in harness\/platform\/darwin\.ts/);
  });

  test('threads: the message says which macOS API would read them', async () => {
    expect(((await thrownBy(darwin, 'threads')) as Error).message).toMatch(
      /^process threads on macOS: not implemented yet \(would use `proc_pidinfo/,
    );
  });

  // The lldb parser on the recorded attach: harness/evidence/stack-parsers.test.ts.
  test('live stacks: lldb attaches and detaches, read by the lldb parser', () => {
    const lldb = darwin.stackDebugger();
    expect([lldb.tool, ...lldb.args(42)]).toEqual(['lldb', '-p', '42', '--batch', '-o', 'thread backtrace all', '-o', 'process detach']);
    expect(lldb.parser).toBe('lldb');
  });

  test('the reaper is the same bash script; exit codes carry no OS name', () => {
    expect(darwin.reaperArgv()).toEqual(['bash', expect.stringMatching(/harness\/platform\/reaper\.sh$/)]);
    expect(darwin.exitStatus(139)).toBeUndefined();
  });
});
