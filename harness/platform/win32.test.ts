// Windows: process facts and job objects through hilt-winproc (its parsers: win32-proc.test.ts; for
// real under Wine: scenarios/winproc.test.ts), cdb live stacks and NTSTATUS names; every other fact
// throws PLATFORM_UNSUPPORTED saying what is missing and what would implement it.
import { describe, expect, test } from 'vitest';
import { isHiltError } from '../errors.ts';
import { thrownBy } from './unsupported-facts.ts';
import { win32 } from './win32.ts';
import { JobGroup, jobName } from './win32-job.ts';
import { WINRUN } from './win32-proc.ts';

const UNSUPPORTED = ['pythonStackDebugger', 'resourceLimits'] as const;

describe('win32 platform', () => {
  test.each(UNSUPPORTED)('%s throws PLATFORM_UNSUPPORTED naming Windows and what would implement it', async (fact) => {
    const e = await thrownBy(win32, fact);
    expect(isHiltError(e, 'PLATFORM_UNSUPPORTED')).toBe(true);
    expect((e as Error).message).toMatch(/^.+ on Windows: not implemented yet \(would use .+\)/);
  });

  test("the reaper is hilt-winproc's reaper mode (it reads reaper.sh's lines on stdin)", () => {
    expect(win32.reaperArgv()).toEqual([
      expect.stringMatching(/native[\\/]build-win[\\/]hilt-winproc\.exe$/),
      'reaper',
      String(process.pid),
    ]);
  });

  test('a job per target: named in the session namespace by hilt pid and launch, started by the launcher with --job', () => {
    expect(jobName('app-100-1')).toBe(`Local\\hilt-${process.pid}-app-100-1`);
    expect(jobName('a b\\c')).toBe(`Local\\hilt-${process.pid}-a_b_c`);
    expect(JobGroup.named('app-100-1').launchPrefix()).toEqual([WINRUN, '--job', `Local\\hilt-${process.pid}-app-100-1`]);
  });

  // The dump's writing is checked under Wine (scenarios/windows-node.test.ts).
  test("crash dumps: the launcher's --dump-dir in the core folder, *.dmp, read by cdb -z from its exception context", async () => {
    expect(win32.coreLaunchPrefix()).toEqual([WINRUN, '--dump-dir', '.']);
    expect(await win32.corePattern()).toMatch(
      /^hilt-winrun --dump-dir: <exe>\.<pid>\.dmp in the run's core folder at the program's first fatal/,
    );
    expect(['hilt-engine-win.exe.192.dmp', 'X.DMP', 'core.192'].map(win32.isCoreFile)).toEqual([true, true, false]);
    expect(win32.coreDebugger().args('x.exe', 'x.exe.1.dmp')).toEqual(['-z', 'x.exe.1.dmp', '-c', '.ecxr;~*k;q']);
  });

  test('a job cannot be frozen: said, not faked', async () => {
    expect(await new JobGroup('Local\\x').freeze(true, 100)).toEqual({ ok: false, waitedMs: 0 });
  });

  // The cdb parser on the sample: harness/evidence/stack-parsers.test.ts.
  test('live stacks: cdb noninvasive attach, read by the cdb parser', () => {
    const cdb = win32.stackDebugger();
    expect([cdb.tool, ...cdb.args(42)]).toEqual(['cdb', '-p', '42', '-pv', '-c', '~*k;qd']);
    expect(cdb.parser).toBe('cdb');
  });

  test('NTSTATUS: named whether the code arrives signed or unsigned; unknown codes are not named', () => {
    const av = { name: 'STATUS_ACCESS_VIOLATION', kind: 'crash', description: 'access violation (invalid memory access)' };
    expect(win32.exitStatus(0xc0000005)).toEqual(av);
    expect(win32.exitStatus(-1073741819)).toEqual(av);
    expect(win32.exitStatus(0xc000013a)?.kind).toBe('signal');
    expect(win32.exitStatus(1)).toBeUndefined();
  });
});
