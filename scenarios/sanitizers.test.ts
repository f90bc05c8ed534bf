// The reference engine's own scenarios against its sanitizer builds (built by npm run setup):
// heap and UB errors (ASan+UBSan) and data races between its main, audio and worker threads
// (TSan) end the run with a report, which the scenario's crash-signature check turns into a
// failure. The addon's sanitizer runs are in gc-teardown.test.ts.
import { describe, expect, test } from 'vitest';
import { checks, runCli } from './run-cli.ts';

describe('the engine under ASan and UBSan', () => {
  const asan = ['--target', 'fixtures/targets/engine-asan.json'];

  test('kill9: the guardian cleans up and audio resumes, with no sanitizer report', async () => {
    const r = await runCli(['kill9', ...asan]);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
  });

  test('crash segv on the audio thread: the crash guard still runs (ASan leaves the signal to it)', async () => {
    const r = await runCli(['crash', ...asan, '--set', 'signal=segv', '--set', 'thread=audio', '--set', 'core=off']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    expect(r.summary!.facts.cleaned_by).toBe('crash-guard');
  });
});

describe('the engine under TSan', () => {
  const tsan = ['--target', 'fixtures/targets/engine-tsan.json'];

  test.each(['sigterm', 'multi-app'])('%s passes with no data race reported', async (scenario) => {
    const r = await runCli([scenario, ...tsan]);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    // The engine really ran its threads under TSan: it tapped and played the victims back.
    expect(checks(r.summary, 'tapped').every((c) => c.verdict === 'pass')).toBe(true);
    expect(checks(r.summary, 'tapped').length).toBeGreaterThan(0);
  });
});
