// sigterm and sigint through the real CLI: the clean path on a signal, and its absence caught.
import { describe, expect, test } from 'vitest';
import { check, runCli } from './run-cli.ts';

describe.each(['sigterm', 'sigint'])('%s', (name) => {
  const sig = name.toUpperCase();
  test('passes: exit 0 within the stop deadline, taps destroyed by the engine itself', async () => {
    const r = await runCli([name]);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    const s = r.summary!;
    expect(check(s, 'exit')?.measured).toBe('exit 0');
    expect(check(s, 'exit')?.verdict).toBe('pass');
    expect(check(s, 'shutdown-deadline')?.verdict).toBe('pass');
    expect(s.facts.cleaned_by).toBe('clean-stop');
    expect(s.metrics.audio_resume_ms).toBeLessThanOrEqual(1000);
  });

  test('--bug no-signal-handlers fails: killed by the signal, no clean stop', async () => {
    const r = await runCli([name, '--bug', 'no-signal-handlers']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const s = r.summary!;
    expect(check(s, 'exit')?.limit).toBe('exit 0');
    expect(check(s, 'exit')?.verdict).toBe('fail');
    expect(check(s, 'cleaned-by')?.limit).toBe('clean-stop');
    expect(check(s, 'cleaned-by')?.verdict).toBe('fail');
    expect(s.diagnosis).toMatch(new RegExp(`died of ${sig} instead of stopping: it has no ${sig} handler \\(no-signal-handlers\\)`));
  });
});
