// Core evidence end to end on this machine: a real process launched with the platform's core
// prefix, killed by SIGSEGV, its core read by the platform's debugger and the folder removed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { platform } from '../platform/index.ts';
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
