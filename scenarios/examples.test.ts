// The example targets (fixtures/targets/examples/): real programs from Debian's packages, each
// with the verdict it must get through the real CLI, and why. fixtures/targets/examples/EXPECTED.md
// says the same for people.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../harness/target/config.ts';
import { check, liveInGroupOf, runCli } from './run-cli.ts';

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
  [
    'dbus-daemon-fork',
    'kill9',
    escaped(/dbus-daemon\[\d+\] `[^`]*dbus-daemon --session [^`]*` \(found by its group[^;]*; .*reparented to init\)/),
  ],
  [
    'dbus-run-session',
    'kill9',
    escaped(/dbus-daemon\[\d+\] .*\(found by its group.*\), sleep\[\d+\] `sleep [^`]*` \(found by its group.*\)/),
  ],
  ['python-join-clean', 'stop', pass],
  ['fluidsynth', 'midi-orphans', pass],
  ['fluidsynth-daemon', 'midi-orphans', { verdict: 'fail', check: 'midi-ports-gone', message: /still on the server .*app-synthd:midi_00/ }],
  ['fluidsynth-daemon', 'kill9', escaped(/fluidsynth\[\d+\] `fluidsynth [^`]*` \(found by its group[^;]*; .*reparented to init\)/)],
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

  // The escape no marker sees: `setsid env -i` clears the environment and leaves the session.
  test('setsid-env-i under kill9: play, escaped by setsid env -i, found by its group, named, ended; nothing of it runs after', async () => {
    const r = await runCli(['kill9', '--target', join(ROOT, 'fixtures/targets/examples/setsid-env-i.json')]);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('fail');
    expect(check(r.summary, 'no-escaped-process')?.message).toMatch(
      new RegExp(
        'play\\[\\d+\\] `play -q -n synth 600 sine 770 vol 0\\.5` \\(found by its group[^;]*; ' +
          'environment cleared \\(no HILT_TARGET_MARK\\), a session of its own \\(\\d+\\), reparented to init\\)',
      ),
    );
    expect(r.summary?.facts.containment).toMatch(/a cgroup v2 group of its own/);
    const cleanup = r.summary!.evidence.find((e) => e.name === 'hilt-cleanup');
    expect(readFileSync(join(r.out, cleanup!.path), 'utf8')).toMatch(/ended play\[\d+\] by cgroup\.kill in \d+ ms/);
    expect(liveInGroupOf(r.pid!)).toEqual([]);
  });

  // The same escape under the widest kill: the whole cgroup at once leaves nothing of it. (A group
  // kill misses it, as the pid kill above does: it is in a session of its own.)
  test('setsid-env-i under kill9 --set scope=tree: pass, nothing of it runs after', async () => {
    const r = await runCli(['kill9', '--set', 'scope=tree', '--target', join(ROOT, 'fixtures/targets/examples/setsid-env-i.json')]);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    expect(liveInGroupOf(r.pid!)).toEqual([]);
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

// A crash signal sent from outside (issue 24): how each program died, in the four words of the fact
// `died`, the exit check and the gate. The handler that never ends costs its 1000 ms deadline and the stacks.
describe('examples: how a program died of SIGSEGV sent from outside', () => {
  test.each([
    [
      'python-faulthandler',
      'pass',
      'own-handler-reraised',
      /^SIGSEGV .*; died: own-handler-reraised \(.*'Fatal Python error: Segmentation fault'\)/,
    ],
    ['sox-play', 'pass', 'silent', /^SIGSEGV .*; died: silent \(died silently of SIGSEGV .*no output after the signal\)/],
    [
      'bash-trap-exit',
      'pass',
      'exited-with-code',
      /^exit 3 .*; died: exited-with-code \(its handler caught SIGSEGV and exited with code 3\)/,
    ],
    [
      'python-segv-wait',
      'fail',
      'handler-did-not-end',
      /^SIGTERM .*; died: handler-did-not-end \(a crash handler that did not end: .*in wait_for_debugger/,
    ],
  ])('%s: %s, died %s', async (example, verdict, died, exitMessage) => {
    const r = await runCli(['crash', '--set', 'signal=segv', '--target', join(ROOT, 'fixtures/targets/examples', `${example}.json`)]);
    expect(r.summary?.verdict, `${r.stdout}\n${r.stderr}`).toBe(verdict);
    expect(r.summary?.facts.died).toBe(died);
    expect(check(r.summary, 'exit')?.message).toMatch(exitMessage);
    expect(readFileSync(join(r.out, 'summary.md'), 'utf8')).toContain(`Died: \`${died}\`: `);
    if (verdict === 'fail') {
      expect(r.summary?.diagnosis).toMatch(/died: handler-did-not-end \(a crash handler that did not end/);
      expect(check(r.summary, 'no-hang')?.message).toMatch(/^python-segv-wait crash handler after SIGSEGV hung: /);
      expect(r.summary?.evidence.some((e) => e.name.startsWith('stacks-'))).toBe(true);
    }
  });
});
