// The real reaper.sh, fed lines on its stdin: what it removes, what it spares, and the pactl it runs
// for a module on a server not hilt's own. pactl is a fake first on PATH that logs its arguments,
// $PULSE_SERVER and whether the tracked process was already killed: the reaper's own bookkeeping is
// under test here, not a Pulse server.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import type { Platform } from '../platform/platform.ts';
import { pollUntil } from '../wait.ts';
import { containment, ProcessGroup } from '../platform/cgroup.ts';
import { platform } from '../platform/index.ts';
import { Reaper } from './reaper.ts';

const REAPER = fileURLToPath(new URL('../platform/reaper.sh', import.meta.url));

const made: string[] = [];
const started: ChildProcess[] = [];
const tempDir = (what: string): string => {
  const d = mkdtempSync(join(tmpdir(), `hilt-reaper-test-${what}-`));
  made.push(d);
  return d;
};
afterEach(() => {
  for (const c of started.splice(0)) c.kill('SIGKILL');
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

// A pactl that logs "ARGS | PULSE_SERVER | sleeper STATE" (an empty or Z state: already killed).
function fakePactl(): { path: string; log: string } {
  const bin = tempDir('bin');
  const log = join(bin, 'pactl.log');
  writeFileSync(
    join(bin, 'pactl'),
    '#!/bin/sh\n' +
      'state=$(ps -o stat= -p "$HILT_TEST_SLEEPER" 2>/dev/null)\n' +
      'echo "$* | $PULSE_SERVER | sleeper ${state:-gone}" >> "$HILT_TEST_LOG"\n',
  );
  chmodSync(join(bin, 'pactl'), 0o755);
  return { path: `${bin}:${process.env.PATH}`, log };
}

const sleeper = (): number => {
  const c = spawn('sleep', ['30'], { stdio: 'ignore' });
  started.push(c);
  return c.pid!;
};

// Runs the reaper with these lines on stdin, closes it, and waits for the reaper's sweep to end.
async function reap(lines: string[], env: Record<string, string> = {}): Promise<number | null> {
  const c = spawn('bash', [REAPER], { stdio: ['pipe', 'ignore', 'ignore'], env: { ...process.env, ...env } });
  started.push(c);
  const exited = new Promise<number | null>((resolve) => c.once('exit', resolve));
  c.stdin!.end(lines.map((l) => l + '\n').join(''));
  return exited;
}

const logLines = (log: string): string[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
const killed = (line: string | undefined): boolean => /sleeper (gone|Z\S*)$/.test(line ?? '');

describe.runIf(process.platform !== 'win32')('reaper.sh', () => {
  // hilt SIGKILLed: the reaper ends everything in hilt's cgroup (an escaped helper included) and removes it.
  const c = containment();
  test.skipIf(!c.ok)('a tracked cgroup: every member killed by cgroup.kill, then the groups removed', async () => {
    const g = ProcessGroup.under(c.ok ? c.root : '', `reaper-test-${Date.now()}`);
    const member = spawn(g.launchPrefix()[0]!, [...g.launchPrefix().slice(1), 'sh', '-c', 'setsid env -i sleep 30 & exec sleep 30'], {
      stdio: 'ignore',
    });
    started.push(member);
    expect((await pollUntil(() => g.members().length === 2 || undefined, { deadlineMs: 3000, intervalMs: 10 })).ok).toBe(true);
    const pids = g.members();
    expect(await reap([`cgroup ${c.ok ? c.root : ''}`, 'cgroup /sys/fs/cgroup/not-hilts'])).toBe(0);
    expect(existsSync(g.path)).toBe(false);
    expect(existsSync(c.ok ? c.root : '')).toBe(false);
    for (const pid of pids) expect(['gone', 'zombie']).toContain(await platform.processState(pid));
  });

  test('a dir then undir stays in place; a tracked dir is removed', async () => {
    const released = tempDir('released');
    const tracked = tempDir('tracked');
    expect(await reap([`dir ${released}`, `dir ${tracked}`, `undir ${released}`])).toBe(0);
    expect(existsSync(released)).toBe(true);
    expect(existsSync(tracked)).toBe(false);
  });

  test('undir forgets every registration of the path, and a later dir tracks it again', async () => {
    const twice = tempDir('twice');
    const again = tempDir('again');
    expect(await reap([`dir ${twice}`, `dir ${twice}`, `undir ${twice}`, `dir ${again}`, `undir ${again}`, `dir ${again}`])).toBe(0);
    expect(existsSync(twice)).toBe(true);
    expect(existsSync(again)).toBe(false);
  });

  test('a tracked module is unloaded on its own server after the kills; untracked and malformed ones are not', async () => {
    const pactl = fakePactl();
    const pid = sleeper();
    const lines = [
      `pid ${pid}`,
      'pulse-module 7 unix:/run/user/1000/pulse/native',
      'pulse-module 8 unix:/run/user/1000/pulse/native',
      'unpulse-module 8 unix:/run/user/1000/pulse/native',
      'pulse-module 7 tcp:studio.local:4713', // the same index on another server is another module
      'pulse-module 9 unix:/run/user/1000/my pulse/native', // an address with a space: skipped
      'pulse-module x unix:/run/user/1000/pulse/native', // not an index: skipped
      'pulse-module 10',
    ];
    expect(await reap(lines, { PATH: pactl.path, HILT_TEST_LOG: pactl.log, HILT_TEST_SLEEPER: String(pid) })).toBe(0);
    const log = logLines(pactl.log);
    expect(log.map((l) => l.replace(/ \| sleeper .*$/, '')).sort()).toEqual([
      'unload-module 7 | tcp:studio.local:4713',
      'unload-module 7 | unix:/run/user/1000/pulse/native',
    ]);
    expect(log.every(killed)).toBe(true);
  });

  test('the Reaper class writes those lines: tracked things are swept when it closes, untracked ones spared', async () => {
    const pactl = fakePactl();
    const pid = sleeper();
    const released = tempDir('class-released');
    const tracked = tempDir('class-tracked');
    const env = [`PATH=${pactl.path}`, `HILT_TEST_LOG=${pactl.log}`, `HILT_TEST_SLEEPER=${pid}`];
    const reaper = new Reaper({ reaperArgv: () => ['env', ...env, 'bash', REAPER] } as unknown as Platform);
    reaper.trackPid(pid);
    reaper.trackDir(released);
    reaper.trackDir(tracked);
    reaper.untrackDir(released);
    expect(reaper.trackPulseModule(3, 'unix:/run/user/1000/pulse/native')).toBe(true);
    expect(reaper.trackPulseModule(4, 'unix:/run/user/1000/pulse/native')).toBe(true);
    expect(reaper.untrackPulseModule(4, 'unix:/run/user/1000/pulse/native')).toBe(true);
    expect(reaper.trackPulseModule(5, 'unix:/a b')).toBe(false);
    expect(reaper.trackPulseModule(-1, 'unix:/x')).toBe(false);
    expect(reaper.pid).toBeGreaterThan(0);
    reaper.close();
    expect((await pollUntil(() => !existsSync(tracked), { deadlineMs: 5000 })).ok).toBe(true);
    expect(existsSync(released)).toBe(true);
    const log = logLines(pactl.log);
    expect(log.map((l) => l.replace(/ \| sleeper .*$/, ''))).toEqual(['unload-module 3 | unix:/run/user/1000/pulse/native']);
    expect(killed(log[0])).toBe(true);
  });

  test('start() waits for its "ready" (targets launch only after it), and says why when it never comes', async () => {
    const reaper = new Reaper({ reaperArgv: () => ['bash', REAPER] } as unknown as Platform);
    expect(await reaper.start()).toBeGreaterThanOrEqual(0);
    expect(await reaper.start()).toBeGreaterThanOrEqual(0); // once started, at once
    reaper.close();
    const exits = new Reaper({ reaperArgv: () => ['sh', '-c', 'exit 3'] } as unknown as Platform);
    await expect(exits.start()).rejects.toThrow(
      /hilt's reaper did not start\n {2}expected: "ready" from `sh -c exit 3`.*\n {2}seen: +it exited \(3\) first/,
    );
    const talks = new Reaper({ reaperArgv: () => ['sh', '-c', 'echo hello; exec cat >/dev/null'] } as unknown as Platform);
    await expect(talks.start()).rejects.toThrow(/seen: +it said "hello\\n"/);
    talks.close();
  });
});
