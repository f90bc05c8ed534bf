// exit-with-live-engines and worker-teardown through the real CLI: the addon in a real Node
// program (and in a real worker thread) that ends with real engines running on the rig.
import { describe, expect, test } from 'vitest';
import { check, runCli } from './run-cli.ts';

describe('exit-with-live-engines', () => {
  test(
    'passes: normal exit, process.exit() and an uncaught exception each stop every engine, ' + 'exit as they should and leave nothing',
    async () => {
      const r = await runCli(['exit-with-live-engines']);
      expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
      const s = r.summary!;
      expect(s.target).toBe('hilt-engine-addon-live');
      for (const [label, code] of [
        ['normal exit', 'exit 0'],
        ['process.exit(3)', 'exit 3'],
        ['uncaught exception', 'exit 1'],
      ] as const) {
        expect(check(s, 'exit-code', label)?.measured).toBe(code);
        expect(check(s, 'engines-stopped', label)?.message).toMatch(
          /^3 engines stopped by the (cleanup hook|process exit), threads joined, taps destroyed/,
        );
        expect(check(s, 'back-to-baseline', label)?.verdict).toBe('pass');
        expect(check(s, 'victim-resumed', label)?.verdict).toBe('pass');
      }
      // Node runs cleanup hooks only on a normal exit; the other two ends are caught at exit().
      expect(s.facts.stopped_by).toBe('normal exit: cleanup hook | process.exit(3): process exit | uncaught exception: process exit');
      expect(s.metrics.crashed_runs).toBe(0);
      expect(s.metrics.exit_ms).toBeGreaterThan(0);
    },
  );

  test('--bug no-cleanup-hook: the normal exit aborts in a finalizer and leaves taps; the diagnosis names the missing hook', async () => {
    const r = await runCli(['exit-with-live-engines', '--bug', 'no-cleanup-hook', '--set', 'how=normal']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const s = r.summary!;
    expect(check(s, 'exit-code', 'normal exit')?.measured).toBe('SIGABRT');
    expect(check(s, 'back-to-baseline', 'normal exit')?.verdict).toBe('fail');
    expect(s.metrics.crashed_runs).toBe(1);
    expect(s.diagnosis).toMatch(
      /^normal exit: the runtime finalized engine#\d+ at teardown without a cleanup hook having stopped it first; it died of SIGABRT/,
    );
    expect(s.diagnosis).toMatch(/the addon registers no environment cleanup hook \(no-cleanup-hook\)$/);
  });

  test(
    '--bug static-registry-after-exit: process.exit() and the uncaught exception die with exit 139 ' +
      'after the program finished, and it is named',
    async () => {
      // No cores: this proves the exits and the diagnosis; the no-cleanup-hook test reads a core's frames.
      const r = await runCli([
        'exit-with-live-engines',
        '--bug',
        'static-registry-after-exit',
        '--set',
        'how=exit,throw',
        '--set',
        'core=false',
      ]);
      expect(r.exitCode, r.stdout + r.stderr).toBe(1);
      const s = r.summary!;
      expect(check(s, 'exit-code', 'process.exit(3)')?.measured).toBe('SIGSEGV');
      expect(check(s, 'exit-code', 'uncaught exception')?.measured).toBe('SIGSEGV');
      expect(s.diagnosis).toMatch(
        /^process\.exit\(3\): died of SIGSEGV \(exit 139 in a shell\) after the program had finished, before any engine was stopped/,
      );
      expect(s.diagnosis).toMatch(
        new RegExp(
          'destroyed by exit\\(\\) before the exit handler that stops them ran \\(static-registry-after-exit\\)\\. ' +
            'The same in: uncaught exception$',
        ),
      );
    },
  );

  test('an unknown end is a usage error (exit 2, nothing started) that lists the known ones', async () => {
    const r = await runCli(['exit-with-live-engines', '--set', 'how=sigkill']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--set how=sigkill: expected a comma list of normal, exit, throw/);
    expect(r.summary).toBeUndefined();
  });
});

describe('worker-teardown', () => {
  test('passes: a terminated, returning, exiting or throwing worker takes its engines with it while the process lives on', async () => {
    const r = await runCli(['worker-teardown']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    const s = r.summary!;
    for (const label of ['worker.terminate()', 'worker returns', 'process.exit() in the worker', 'uncaught exception in the worker']) {
      expect(check(s, 'worker-ended', label)?.verdict).toBe('pass');
      expect(check(s, 'threads-at-baseline', label)?.verdict).toBe('pass');
      expect(check(s, 'back-to-baseline', label)?.verdict).toBe('pass');
      expect(check(s, 'victim-resumed', label)?.verdict).toBe('pass');
    }
    expect(check(s, 'worker-ended', 'worker.terminate()')?.measured).toBe(1);
    expect(s.metrics.crashed_runs).toBe(0);
  });

  test('--bug no-cleanup-hook: terminating the worker aborts the whole process; the diagnosis names the missing hook', async () => {
    const r = await runCli(['worker-teardown', '--bug', 'no-cleanup-hook', '--set', 'how=terminate']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const s = r.summary!;
    expect(check(s, 'worker-ended', 'worker.terminate()')?.message).toBe('the whole process ended (SIGABRT) instead of just the worker');
    expect(check(s, 'victim-resumed', 'worker.terminate()')?.verdict).toBe('fail');
    expect(s.diagnosis).toMatch(/^worker\.terminate\(\): the runtime finalized engine#\d+ at teardown .*\(no-cleanup-hook\)$/);
  });
});
