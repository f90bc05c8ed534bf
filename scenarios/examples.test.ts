// The example targets (fixtures/targets/examples/): real programs from Debian's packages, each
// with the verdict it must get through the real CLI, and why. fixtures/targets/examples/EXPECTED.md
// says the same for people.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../harness/target/config.ts';
import { check, runCli } from './run-cli.ts';

type Expect = { verdict: 'pass' } | { verdict: 'fail'; check: string; message: RegExp };
const pass: Expect = { verdict: 'pass' };
const orphan = (m: RegExp): Expect => ({ verdict: 'fail', check: 'no-orphans', message: m });
const escaped = (m: RegExp): Expect => ({ verdict: 'fail', check: 'no-escaped-process', message: m });

const EXPECTED: [example: string, scenario: string, expect: Expect][] = [
  ['pw-loopback', 'kill9', pass],
  ['pw-loopback', 'sigterm', pass],
  ['pw-loopback', 'stop', pass],
  ['pw-play', 'kill9', pass],
  ['pw-play', 'stop', pass],
  ['sox-play', 'kill9', pass],
  ['fluidsynth', 'kill9', pass],
  ['fluidsynth', 'stop', pass],
  ['pactl-null-sink', 'stop', pass],
  ['pactl-null-sink', 'kill9', orphan(/orphan: pulse module module-null-sink sink_name=app-nullsink-\d+ .*target pid \d+ dead/)],
  ['pw-cli-linger', 'kill9', orphan(/orphan: .*app-linger-\d+ .*object\.linger=true/)],
  ['dbus-daemon-fork', 'kill9', escaped(/dbus-daemon\[\d+\] \(parent 1\)/)],
  ['dbus-run-session', 'kill9', escaped(/dbus-daemon\[\d+\] \(parent 1\), sleep\[\d+\] \(parent 1\)/)],
  ['python-join-clean', 'stop', pass],
  ['fluidsynth', 'midi-orphans', pass],
  ['fluidsynth-daemon', 'midi-orphans', { verdict: 'fail', check: 'midi-ports-gone', message: /still on the server .*app-synthd:midi_00/ }],
  ['fluidsynth-daemon', 'kill9', escaped(/fluidsynth\[\d+\] \(parent 1\)/)],
];

describe('examples: real programs, expected verdicts', () => {
  test.each(EXPECTED)('%s under %s', async (example, scenario, want) => {
    const r = await runCli([scenario, '--target', join(ROOT, 'fixtures/targets/examples', `${example}.json`)]);
    expect(r.summary?.verdict, `${r.stdout}\n${r.stderr}`).toBe(want.verdict);
    if (want.verdict === 'fail') {
      expect(check(r.summary, want.check)?.message).toMatch(want.message);
      expect(r.summary?.evidence.map((e) => e.name)).toContain('hilt-cleanup');
    }
  });

  test('the Python join twins: the hanging one fails stop with the Python line each thread waits in', async () => {
    const r = await runCli(['stop', '--target', join(ROOT, 'fixtures/targets/examples/python-join-hang.json')]);
    expect(r.exitCode).toBe(1);
    const hang = check(r.summary, 'no-hang');
    expect(hang?.message).toMatch(/main thread in lock/);
    expect(hang?.message).toMatch(/Python: .*join_twins\.py:\d+ in main \(t\.join\(\)/);
    expect(hang?.message).toMatch(/join_twins\.py:\d+ in worker \(job = jobs\.get\(\)/);
    expect(r.summary?.diagnosis).toMatch(/SIGTERM was ignored for 1000 ms, so it was SIGKILLed/);
    expect(r.summary?.evidence.some((e) => e.name.startsWith('stacks-'))).toBe(true);
  });
});
