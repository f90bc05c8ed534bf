// The black-box scenarios through the real CLI, on what the examples (examples.test.ts) do not
// cover: the reference engine judged as a black box by stop and exit, each failing under its bug
// switch, and a crash signal sent from outside to a program from Debian's packages.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../harness/target/config.ts';
import { check, newOutDir, runCli } from './run-cli.ts';

const loopback = join(ROOT, 'fixtures/targets/examples/pw-loopback.json');

describe('black-box scenarios', () => {
  test('the reference engine as a black box: stop passes, and fails under no-signal-handlers naming the exit', async () => {
    const ok = await runCli(['stop']);
    expect(ok.summary?.verdict, ok.stdout).toBe('pass');
    const bad = await runCli(['stop', '--bug', 'no-signal-handlers']);
    expect(bad.exitCode).toBe(1);
    expect(bad.summary?.diagnosis).toMatch(
      /after the configured stop \(SIGTERM\): SIGTERM \(terminated \(SIGTERM\)\); a clean end is 0 \(run with bug switch no-signal/,
    );
  });

  test('crash sent from outside to a black box: death by the signal is the expected exit; thread= is refused', async () => {
    const r = await runCli(['crash', '--target', loopback, '--set', 'signal=abrt']);
    expect(r.summary?.verdict, r.stdout).toBe('pass');
    expect(check(r.summary, 'exit')?.measured).toBe('SIGABRT');
    const refused = await runCli(['crash', '--target', loopback, '--set', 'thread=audio']);
    expect(refused.exitCode).toBe(2);
    expect(refused.summary).toBeUndefined();
    expect(refused.stderr).toMatch(/--set thread=audio \(for .*: main\): thread and point drive the reference engine's own crash/);
  });

  test('exit: a program that ends by itself passes; under static-registry-after-exit it dies after finishing, said first', async () => {
    const ok = await runCli(['exit']);
    expect(ok.summary?.verdict, ok.stdout).toBe('pass');
    expect(check(ok.summary, 'exit')?.measured).toBe('exit 3');
    const bad = await runCli(['exit', '--bug', 'static-registry-after-exit']);
    expect(bad.exitCode).toBe(1);
    expect(bad.summary?.diagnosis).toMatch(
      /^hilt-engine-addon-exits \(pid \d+\) after its own end: SIGSEGV .*; a clean end is 3; orphan: /,
    );
  });

  test('files: a listed lock file and a /dev/shm entry named like it, left after SIGKILL, are named and removed', async () => {
    const dir = newOutDir('files-target');
    const cfg = join(dir, 'shm-app.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        name: 'shm-app',
        command: ['sh', '-c', `touch /dev/shm/hiltshm-$$ ${dir}/app-$$.lock; echo ready; exec sleep 600`],
        prefix: 'hiltshm',
        owns: { files: ['*.lock'] },
        cwd: '.',
        ready: { stdout: '^ready$', deadlineMs: 3000 },
      }),
    );
    const r = await runCli(['kill9', '--target', cfg]);
    expect(r.exitCode).toBe(1);
    const m = check(r.summary, 'no-files-left')?.message ?? '';
    expect(m).toMatch(/^files left after SIGKILL: .*\/app-(\d+)\.lock, \/dev\/shm\/hiltshm-\1$/);
    for (const f of m.replace(/^files left after SIGKILL: /, '').split(', ')) expect(existsSync(f), f).toBe(false);
  });

  test('expect.audio "plays": a program that never plays fails, saying so', async () => {
    const cfg = join(newOutDir('silent-target'), 'silent.json');
    const ready = { file: '/', deadlineMs: 2000 };
    writeFileSync(cfg, JSON.stringify({ name: 'silent', command: ['sleep', '600'], prefix: 'silent', ready, expect: { audio: 'plays' } }));
    const r = await runCli(['kill9', '--target', cfg]);
    expect(r.exitCode).toBe(1);
    expect(check(r.summary, 'plays-audio')?.message).toBe('no playback stream of its process tree (expect.audio is "plays")');
  });
});
