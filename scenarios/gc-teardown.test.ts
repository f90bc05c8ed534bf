// gc-teardown through the real CLI: the addon in a real Node process, real engines with real
// audio streams, dropped and collected by the real garbage collector.
import { describe, expect, test } from 'vitest';
import { check, runCli } from './run-cli.ts';

describe('gc-teardown', () => {
  test('passes: every engine stopped, joined and freed in order; clean exit; threads and server back to baseline', async () => {
    const r = await runCli(['gc-teardown', '--set', 'count=10']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    const s = r.summary!;
    expect(s.target).toBe('hilt-engine-addon');
    expect(check(s, 'stopped-before-freed')?.message).toMatch(/^10 engines: stop requested, threads joined, tap destroyed, then freed/);
    expect(check(s, 'threads-at-baseline')?.verdict).toBe('pass');
    expect(s.metrics.crashed_runs).toBe(0);
    expect(s.metrics.cycles_per_s).toBeGreaterThan(0);
    expect(s.metrics.teardown_p99_ms).toBeGreaterThan(0);
  });

  test('--bug gc-free-while-running fails in every run, counting the crashes and naming the bug', async () => {
    const r = await runCli(['gc-teardown', '--bug', 'gc-free-while-running', '--set', 'count=10', '--repeat', '2']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const s = r.summary!;
    expect(s.failures).toBe(2);
    expect(s.metrics.crashed_runs).toBeGreaterThanOrEqual(1);
    expect(s.diagnosis).toMatch(/^\d of 2 runs crashed/);
    expect(s.diagnosis).toMatch(/engine#\d+(, engine#\d+)* freed while (its VM thread was|their VM threads were) still running/);
    expect(s.diagnosis).toMatch(/\(gc-free-while-running\)$/);
  });

  test('its target offers only the addon bug switches', async () => {
    const r = await runCli(['gc-teardown', '--bug', 'no-sweep']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr + r.stdout).toMatch(
      new RegExp(
        'unknown bug switch no-sweep for target hilt-engine-addon ' +
          '\\(known: gc-free-while-running, no-cleanup-hook, static-registry-after-exit\\)',
      ),
    );
  });
});

// The sanitizer build makes the use-after-free certain and says where it happened.
describe('gc-teardown against the ASan addon', () => {
  const asan = ['--target', 'fixtures/targets/addon-gc-asan.json'];

  test('passes: no sanitizer report with every engine torn down in order', async () => {
    const r = await runCli(['gc-teardown', ...asan, '--set', 'count=6']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    expect(r.summary!.target).toBe('hilt-engine-addon-asan');
    expect(check(r.summary!, 'no-crash-signature')?.message).toBe('no signal, sanitizer report or fatal runtime error');
  });

  test('--bug gc-free-while-running: ASan reports the heap-use-after-free in the VM thread, and the diagnosis names it', async () => {
    const r = await runCli(['gc-teardown', ...asan, '--set', 'count=6', '--bug', 'gc-free-while-running']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const s = r.summary!;
    expect(check(s, 'no-crash-signature')?.message).toMatch(/AddressSanitizer: heap-use-after-free/);
    expect(s.diagnosis).toMatch(/AddressSanitizer: heap-use-after-free; in vmLoop at addon\.cpp:\d+ on thread T\d+/);
    expect(s.diagnosis).toMatch(/\(gc-free-while-running\)$/);
  });
});
