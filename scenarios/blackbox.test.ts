// Any program as a target, through the real CLI: a program that cleans up passes, one that leaves
// a module, a lingering node or an escaped child fails naming it; the reference engine as a black
// box passes `stop`, and fails it under its bug switch. Programs from Debian's packages; the
// configs are written here because they are the test's input, not fixtures of hilt.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { check, newOutDir, runCli } from './run-cli.ts';

const dir = mkdtempSync(join(newOutDir('blackbox-configs'), 'cfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(name: string, body: Record<string, unknown>): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, prefix: name, stop: { method: 'signal', signal: 'SIGTERM', deadlineMs: 2000 }, ...body }));
  return file;
}

const loopback = config('pw-loopback', { command: ['pw-loopback'], ready: { stream: true, deadlineMs: 5000 } });
const moduleApp = config('app', {
  command: ['sh', '-c', 'pactl load-module module-null-sink sink_name=app-$$ >/dev/null; echo ready; exec sleep 600'],
  ready: { stdout: '^ready$', deadlineMs: 5000 },
});
const lingering = config('linger', {
  command: [
    'sh',
    '-c',
    'pw-cli create-node adapter "{ factory.name=support.null-audio-sink node.name=linger-$$ object.linger=true }" >/dev/null; ' +
      'echo ready; exec sleep 600',
  ],
  ready: { stdout: '^ready$', deadlineMs: 5000 },
});
const escaping = config('dbus', {
  command: ['dbus-daemon', '--session', '--fork', '--print-address', '--nopidfile'],
  ready: { stdout: '^unix:', deadlineMs: 5000 },
});

describe('black boxes: programs nobody here wrote', () => {
  test('pw-loopback cleans up: kill9, sigterm and stop pass', async () => {
    for (const scenario of ['kill9', 'sigterm', 'stop']) {
      const r = await runCli([scenario, '--target', loopback]);
      expect(r.summary?.verdict, `${scenario}: ${r.stdout}${r.stderr}`).toBe('pass');
      expect(check(r.summary, 'no-orphans')?.measured).toBe(0);
      expect(check(r.summary, 'victim-heard-after')?.verdict).toBe('pass');
    }
  });

  test("a module loaded through pactl fails kill9, named with why it is the target's, and hilt removes it", async () => {
    const r = await runCli(['kill9', '--target', moduleApp]);
    expect(r.exitCode).toBe(1);
    expect(r.summary?.diagnosis).toMatch(
      /^app \(pid (\d+)\) after SIGKILL: orphan: pulse module module-null-sink sink_name=app-\1 \(no owner pid on it: the server/,
    );
    expect(r.summary?.diagnosis).toMatch(
      /target pid \d+ dead\) with its pulse-sink app-\d+ and pw-node app-\d+ still there 2000 ms after SIGKILL/,
    );
    expect(r.summary?.evidence.map((e) => e.name)).toContain('hilt-cleanup');
  });

  test('a lingering PipeWire node fails kill9, named', async () => {
    const r = await runCli(['kill9', '--target', lingering]);
    expect(r.exitCode).toBe(1);
    expect(check(r.summary, 'no-orphans')?.message).toMatch(/orphan: pw-node linger-\d+ \(.*object\.linger=true/);
  });

  test('an escaped child (dbus-daemon --fork) fails kill9, named with its parent', async () => {
    const r = await runCli(['kill9', '--target', escaping]);
    expect(r.exitCode).toBe(1);
    expect(check(r.summary, 'no-escaped-process')?.message).toMatch(
      /still running after dbus \(pid \d+\) ended: dbus-daemon\[\d+\] \(parent \d+\)/,
    );
  });

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
    expect(refused.exitCode).toBe(1);
    expect(refused.summary?.diagnosis).toMatch(/--set thread and point drive the reference engine's own crash/);
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
});
