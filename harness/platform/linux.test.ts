// The Linux platform against real processes: this test's own process and children it spawns
// (a sleeper, a stopped one, a parent that never reaps its exited child), and the real reaper.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { pollUntil } from '../wait.ts';
import { linux } from './linux.ts';

const started: ChildProcess[] = [];
const start = (file: string, args: string[], stdin: 'ignore' | 'pipe' = 'ignore'): ChildProcess => {
  const c = spawn(file, args, { stdio: [stdin, 'ignore', 'ignore'] });
  started.push(c);
  return c;
};
const gone = (pid: number) => pollUntil(async () => (await linux.processState(pid)) === 'gone', { deadlineMs: 3000 });
afterEach(() => {
  for (const c of started.splice(0)) c.kill('SIGKILL');
});

describe.runIf(process.platform === 'linux')('linux platform', () => {
  test('own process: alive, its name, its parent, its threads (main one first) and descriptors', async () => {
    const me = await linux.process(process.pid);
    expect(me).toMatchObject({ pid: process.pid, ppid: process.ppid, state: expect.stringMatching(/^[RS]$/) });
    expect(await linux.processState(process.pid)).toBe('alive');
    expect(await linux.parentPid(process.pid)).toBe(process.ppid);
    expect(await linux.processName(process.pid)).toBe(me!.name);
    const threads = (await linux.threads(process.pid))!;
    expect(threads[0]).toEqual({ tid: process.pid, name: me!.name });
    expect(threads.length).toBeGreaterThan(1); // libuv's pool and V8's workers
    const fds = (await linux.fdCount(process.pid))!;
    const fd = openSync('/dev/null', 'r');
    try {
      expect(await linux.fdCount(process.pid)).toBe(fds + 1);
    } finally {
      closeSync(fd);
    }
  });

  test('a child: found among our children and descendants, by name and parent; gone once killed', async () => {
    const c = start('sleep', ['30']);
    const pid = c.pid!;
    expect(await linux.children(process.pid)).toContain(pid);
    expect(await linux.descendants(process.pid)).toContain(pid);
    expect(await linux.processName(pid)).toBe('sleep');
    expect(await linux.parentPid(pid)).toBe(process.pid);
    expect((await linux.processes()).find((p) => p.pid === pid)).toMatchObject({ name: 'sleep', ppid: process.pid });
    expect(await linux.threads(pid)).toEqual([{ tid: pid, name: 'sleep' }]);
    c.kill('SIGKILL');
    expect((await gone(pid)).ok).toBe(true);
    expect(await linux.process(pid)).toBeUndefined();
    expect(await linux.threads(pid)).toBeUndefined();
    expect(await linux.fdCount(pid)).toBeUndefined();
  });

  test('a stopped child shows state T (what kill-during-registration waits for)', async () => {
    const c = start('sleep', ['30']);
    c.kill('SIGSTOP');
    const stopped = await pollUntil(async () => (await linux.process(c.pid!))?.state === 'T', { deadlineMs: 2000 });
    expect(stopped.ok).toBe(true);
    expect(await linux.processState(c.pid!)).toBe('alive');
  });

  test('a child that exited but is not reaped is a zombie, not alive; killTree takes the whole tree', async () => {
    // sh forks `true` in the background, then becomes sleep, which never reaps it.
    const parent = start('sh', ['-c', 'true & exec sleep 30']);
    const found = await pollUntil(
      async () => {
        const kids = await linux.children(parent.pid!);
        for (const k of kids) if ((await linux.processState(k)) === 'zombie') return k;
        return undefined;
      },
      { deadlineMs: 3000 },
    );
    expect(found.ok).toBe(true);
    const zombie = found.value!;
    expect((await linux.process(zombie))?.state).toBe('Z');
    expect(await linux.descendants(process.pid)).toEqual(expect.arrayContaining([parent.pid!, zombie]));
    const killed = await linux.killTree(parent.pid!);
    expect(killed).toEqual([zombie, parent.pid!]); // children first; a zombie takes the signal harmlessly
    expect((await gone(parent.pid!)).ok).toBe(true);
  });

  test('resource limits: a child inherits ours; the core launch prefix raises the core limit, same pid', async () => {
    const nofile = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim();
    const mine = (await linux.resourceLimits(process.pid))!;
    expect(String(mine.openFiles)).toBe(nofile);
    const c = start(linux.coreLaunchPrefix()[0]!, [...linux.coreLaunchPrefix().slice(1), 'sleep', '30']);
    const exec = await pollUntil(async () => (await linux.processName(c.pid!)) === 'sleep', { deadlineMs: 3000 });
    expect(exec.ok).toBe(true); // prlimit exec'd the target in place
    expect((await linux.resourceLimits(c.pid!))?.coreBytes).toBe('unlimited');
    expect(await linux.resourceLimits(999_999_999)).toBeUndefined();
  });

  // gdb's parser on recorded cores and attaches: harness/evidence/stack-parsers.test.ts.
  test("cores: the pattern is the kernel's, core files are named core*, gdb reads them", async () => {
    expect(await linux.corePattern()).toBe(readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim());
    expect(['core', 'core.1234', 'hilt-engine'].filter(linux.isCoreFile)).toEqual(['core', 'core.1234']);
    const gdb = linux.coreDebugger();
    expect([gdb.tool, ...gdb.args('/bin/engine', '/tmp/c/core')]).toEqual([
      'gdb',
      '-batch',
      '-nx',
      '-ex',
      'info threads',
      '-ex',
      'thread apply all bt',
      '/bin/engine',
      '/tmp/c/core',
    ]);
    expect(gdb.parser).toBe('gdb');
  });

  test('live stacks: gdb attaches to the pid, read by the gdb parser', () => {
    const gdb = linux.stackDebugger();
    expect([gdb.tool, ...gdb.args(42)]).toEqual(['gdb', '-p', '42', '-batch', '-nx', '-ex', 'info threads', '-ex', 'thread apply all bt']);
    expect(gdb.parser).toBe('gdb');
  });

  test('the reaper kills what is still tracked when its pipe closes, and spares what was untracked', async () => {
    const [file, ...args] = linux.reaperArgv();
    const tracked = start('sleep', ['30']);
    const untracked = start('sleep', ['30']);
    const reaper = start(file!, args, 'pipe');
    reaper.stdin!.end(`pid ${tracked.pid}\npid ${untracked.pid}\nunpid ${untracked.pid}\n`);
    expect((await gone(tracked.pid!)).ok).toBe(true);
    expect(await linux.processState(untracked.pid!)).toBe('alive');
  });

  test('processesWithEnv finds a setsid, double-forked helper re-parented away from us, by its marker', async () => {
    const mark = `linux-test-${process.pid}-${Date.now()}`;
    // setsid makes a new session; the inner sh backgrounds a sleep and exits: the sleep is
    // re-parented to init (or a subreaper), no longer our descendant, and still carries the marker.
    const c = spawn('setsid', ['sh', '-c', 'sleep 30 & echo $!'], {
      env: { ...process.env, HILT_TARGET_MARK: mark },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const pid = Number(await new Promise<string>((res) => c.stdout!.once('data', (d: Buffer) => res(String(d).trim()))));
    try {
      const away = await pollUntil(
        async () => (await linux.parentPid(pid)) !== undefined && !(await linux.descendants(process.pid)).includes(pid),
        {
          deadlineMs: 3000,
        },
      );
      expect(away.ok).toBe(true);
      const found = await linux.processesWithEnv('HILT_TARGET_MARK', mark);
      expect(found.map((p) => p.pid)).toEqual([pid]);
      expect(found[0]).toMatchObject({ name: 'sleep', state: expect.stringMatching(/^[RS]$/) });
      expect(await linux.processesWithEnv('HILT_TARGET_MARK', `${mark}-other`)).toEqual([]);
      expect(await linux.processesWithEnv('HILT_TARGET_MAR', mark)).toEqual([]); // the whole name=value, not a part
    } finally {
      process.kill(pid, 'SIGKILL');
    }
    expect((await gone(pid)).ok).toBe(true);
    expect(await linux.processesWithEnv('HILT_TARGET_MARK', mark)).toEqual([]);
  });

  test('exit codes carry no OS name on Linux (signals are reported separately)', () => {
    expect(linux.exitStatus(139)).toBeUndefined();
  });
});
