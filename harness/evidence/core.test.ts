// Core evidence end to end on this machine: a real process launched with the platform's core
// prefix, killed by SIGSEGV, its core read by the platform's debugger and the folder removed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { platform, platformFor, type Platform } from '../platform/index.ts';
import { composedDump } from './composed-minidump.ts';
import { pollUntil } from '../wait.ts';
import { readCore } from './core.ts';

const linux = process.platform === 'linux';
const pattern = linux ? await platform.corePattern() : '';

describe.runIf(linux)('readCore', () => {
  test('no core: says so with where the OS would have put it, and removes the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hilt-core-test-'));
    expect(await readCore(dir, '/bin/sleep')).toEqual({ text: `no core written (core_pattern: ${pattern})` });
    expect(existsSync(dir)).toBe(false);
  });

  // Only where cores land in the process's cwd (not piped to systemd-coredump or apport).
  test.runIf(pattern === 'core')('a real SIGSEGV: the core is read, its signal and thread parsed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hilt-core-test-'));
    const [file, ...prefix] = platform.coreLaunchPrefix();
    const c = spawn(file!, [...prefix, 'sleep', '30'], { cwd: dir, stdio: 'ignore' });
    // prlimit exec'd it
    expect((await pollUntil(async () => (await platform.processName(c.pid!)) === 'sleep', { deadlineMs: 3000 })).ok).toBe(true);
    c.kill('SIGSEGV');
    await new Promise((r) => c.once('exit', r));
    const core = await readCore(dir, '/usr/bin/sleep');
    expect(core.file).toMatch(/^core/);
    expect(core.text).toMatch(/^gdb -batch -nx -ex "info threads" -ex "thread apply all bt" \/usr\/bin\/sleep core/);
    expect(core.stacks?.signal).toBe('SIGSEGV');
    expect(core.stacks?.threads.length, core.text).toBe(1);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('readCore without the debugger installed', () => {
  test('a Windows dump: its exception read by hilt, the dump kept beside the folder, the folder removed', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hilt-core-test-'));
    const dir = join(out, 'core-run1');
    mkdirSync(dir);
    writeFileSync(join(dir, 'hilt-engine-win.exe.192.dmp'), composedDump({ code: 0xc0000005, address: 0x140005fdcn, params: [1n, 0n] }));
    const noCdb = {
      ...platform,
      isCoreFile: (n: string) => n.endsWith('.dmp'),
      coreDebugger: () => ({ tool: 'hilt-no-such-cdb', args: () => [], parser: 'cdb', install: 'install cdb' }),
    } as unknown as Platform;
    try {
      const core = await readCore(dir, 'hilt-engine-win.exe', undefined, noCdb);
      expect(core.text.split('\n')).toEqual([
        'hilt-engine-win.exe.192.dmp (1 KB): not read, hilt-no-such-cdb is not installed (install cdb)',
        'exception (read by hilt from the dump): ' +
          '0xC0000005 STATUS_ACCESS_VIOLATION (write at 0x0) at hilt-engine-win.exe+0x5FDC on thread 196',
        `kept: ${join(out, 'hilt-engine-win.exe.192.dmp')}`,
      ]);
      expect(existsSync(core.kept!)).toBe(true);
      expect(existsSync(dir)).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

// An OS that reports crashes itself (macOS): no core in the folder, the report of the pid since its launch instead.
describe('readCore where the platform has crash reports', () => {
  const text = readFileSync(new URL('../platform/composed/darwin-crash-segv.ips', import.meta.url), 'utf8');
  const asked: [number, number][] = [];
  const mac: Platform = {
    ...platformFor('darwin'),
    corePattern: async () => '/cores/core.%P',
    crashReport: async (pid, sinceMs) => {
      asked.push([pid, sinceMs]);
      return pid === 7420 ? { file: '/r/hilt-engine.ips', text, parser: 'ips', summary: 'EXC_BAD_ACCESS (SIGSEGV)' } : undefined;
    },
  };

  test('the report: its summary as the text, its threads parsed, kept where the OS wrote it; the folder removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hilt-core-test-'));
    const core = await readCore(dir, '/x/hilt-engine', { pid: 7420, sinceMs: 1234 }, mac);
    expect(asked[0]).toEqual([7420, 1234]);
    expect(core).toMatchObject({
      file: '/r/hilt-engine.ips',
      text: 'EXC_BAD_ACCESS (SIGSEGV)',
      how: 'the crash report the OS wrote, read and kept',
    });
    expect(core.stacks).toMatchObject({ signal: 'SIGSEGV', current: 2 });
    expect(existsSync(dir)).toBe(false);
  });

  test('none within the wait: says where it looked and that a SIGKILL leaves none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hilt-core-test-'));
    const core = await readCore(dir, '/x/hilt-engine', { pid: 1, sinceMs: 0, waitMs: 300 }, mac);
    expect(core.file).toBeUndefined();
    expect(core.text).toMatch(
      /^no crash report for pid 1 since 1970-01-01T00:00:00.000Z after \d+ s in ~\/Library\/Logs\/DiagnosticReports/,
    );
    expect(core.text).toMatch(/corefile: \/cores\/core\.%P\); a kill by SIGKILL leaves none$/);
  });

  test('without the crashed pid it reads cores only, as on Linux', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hilt-core-test-'));
    expect(await readCore(dir, '/x/hilt-engine', undefined, mac)).toEqual({ text: 'no core written (core_pattern: /cores/core.%P)' });
  });
});
