// crash through the real CLI: real faults on real threads; the crash guard must clean up before
// the death; its removal and the wrong untrack/destroy order are each caught and named.
import { describe, expect, test } from 'vitest';
import { check, runCli } from './run-cli.ts';

describe('crash', () => {
  test.each([
    ['segv', 'audio', 'SIGSEGV'],
    ['abrt', 'worker', 'SIGABRT'],
    ['fpe', 'main', 'SIGFPE'],
  ])('--set signal=%s thread=%s: crash guard cleans up, audio back with no relaunch', async (signal, thread, sig) => {
    const r = await runCli(['crash', '--set', `signal=${signal}`, '--set', `thread=${thread}`]);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    const s = r.summary!;
    expect(check(s, 'exit')?.measured).toBe(sig);
    expect(check(s, 'exit')?.verdict).toBe('pass');
    expect(s.facts.exit).toMatch(new RegExp(`^${sig} `));
    expect(s.facts.cleaned_by).toBe('crash-guard');
    expect(check(s, 'resumed')?.verdict).toBe('pass');
    expect(check(s, 'no-orphans')?.verdict).toBe('pass');
    expect(s.metrics.crashguard_ms).toBeGreaterThan(0);
    expect(s.metrics.audio_resume_ms).toBeLessThanOrEqual(1000);
    // Where the system writes a core, its stacks are evidence; otherwise the report says why not.
    expect(s.facts.core).toBeDefined();
  });

  test('--bug no-crashguard fails: the taps outlive the crash, the guardian cleans up after it', async () => {
    const r = await runCli(['crash', '--bug', 'no-crashguard']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const s = r.summary!;
    expect(check(s, 'cleaned-by')?.limit).toBe('crash-guard');
    expect(check(s, 'cleaned-by')?.verdict).toBe('fail');
    expect(s.facts.cleaned_by).toBe('guardian');
    expect(s.diagnosis).toMatch(/died of SIGSEGV .* crash guard is not installed \(no-crashguard\)/);
  });

  test('--set point=teardown passes: untrack before destroy, nothing destroyed twice', async () => {
    const r = await runCli(['crash', '--set', 'point=teardown']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    expect(check(r.summary, 'crash-guard-live-only')?.verdict).toBe('pass');
  });

  test('--set point=teardown --bug destroy-before-untrack fails naming the double destroy', async () => {
    const r = await runCli(['crash', '--set', 'point=teardown', '--bug', 'destroy-before-untrack']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const s = r.summary!;
    expect(check(s, 'crash-guard-live-only')?.verdict).toBe('fail');
    expect(s.diagnosis).toMatch(/destroyed module \d+ a second time \(no such entity/);
    expect(s.diagnosis).toMatch(/destroy-before-untrack/);
  });

  // The field's crashes: each passes on the fixed engine and fails, named, under the bug that breaks it.
  // Every thread the engine has: its own (main, worker) and libpulse's (audio), which it did not create.
  test.each([
    ['stack-overflow', 'main', 'SIGSEGV'],
    ['stack-overflow', 'audio', 'SIGSEGV'],
    ['stack-overflow', 'worker', 'SIGSEGV'],
    ['heap-corruption', 'main', 'SIGABRT'],
    ['heap-corruption', 'audio', 'SIGABRT'],
    ['heap-corruption', 'worker', 'SIGABRT'],
    ['terminate', 'worker', 'SIGABRT'],
    ['crash-in-crash', 'main', 'SIGSEGV'],
    ['crash-in-crash', 'audio', 'SIGSEGV'],
    ['crash-in-crash', 'worker', 'SIGSEGV'],
  ])('--set signal=%s thread=%s: the crash guard cleans up once and the engine dies of %s', async (signal, thread, sig) => {
    const r = await runCli(['crash', '--set', `signal=${signal}`, '--set', `thread=${thread}`, '--set', 'core=off']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    const s = r.summary!;
    expect(check(s, 'exit')?.measured).toBe(sig);
    expect(s.facts.cleaned_by).toBe('crash-guard');
    expect(check(s, 'died-of-crash')?.verdict).toBe('pass');
    expect(check(s, 'crash-guard-live-only')?.verdict).toBe('pass');
    if (signal === 'crash-in-crash') expect(check(s, 'second-crash-held')?.measured).toBe('held');
  });

  test.each([
    ['stack-overflow', 'worker', 'no-altstack', /^the crash guard never ran: a stack overflow with no alternate stack \(no-altstack\)/],
    [
      'heap-corruption',
      'worker',
      'guard-allocates',
      /^the crash guard deadlocked in the allocator: hilt-worker waits in .*malloc.*onCrash/,
    ],
    [
      'terminate',
      'worker',
      'terminate-exits',
      /^std::terminate \(uncaught exception of type .*\) ended the engine with exit 1 .*\(terminate-exits\)/,
    ],
    ['crash-in-crash', 'audio', 'second-crash-kills', /^a second thread crashed \(SIGABRT on 'hilt-crash2'\) .*\(second-crash-kills\)/],
  ])('--set signal=%s thread=%s --bug %s fails, naming it', async (signal, thread, bug, said) => {
    const r = await runCli(['crash', '--set', `signal=${signal}`, '--set', `thread=${thread}`, '--set', 'core=off', '--bug', bug]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.summary!.diagnosis).toMatch(said);
  });

  test('--set signal=terminate on another thread than the worker is refused before anything starts, saying why', async () => {
    const r = await runCli(['crash', '--set', 'signal=terminate', '--set', 'thread=main']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /--set thread=main \(for hilt-engine: worker\): an exception escapes to std::terminate only from a worker's job/,
    );
    expect(r.summary).toBeUndefined();
  });

  test('an unknown --set value is a usage error before anything starts, listing the allowed values', async () => {
    const r = await runCli(['crash', '--set', 'thread=gpu']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--set thread=gpu: expected one of main, audio, worker/);
    expect(r.summary).toBeUndefined();
  });
});
