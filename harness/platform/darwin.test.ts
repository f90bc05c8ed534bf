// macOS: the facts darwin.ts gathers, run here against stand-ins for ps, lsof and sh that print the
// COMPOSED samples (composed/README.md), so the argv, the exit codes and the parsing are exercised
// together; what macOS cannot answer throws PLATFORM_UNSUPPORTED saying what is missing, never empty.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isHiltError } from '../errors.ts';
import { darwin } from './darwin.ts';
import { thrownBy } from './unsupported-facts.ts';

const COMPOSED = fileURLToPath(new URL('./composed/', import.meta.url));

// Each stand-in answers the argv darwin.ts builds, as the macOS tool would; anything else is exit 64.
const PS = `#!/bin/sh
C='${COMPOSED}'
case "$*" in
"-axo pid=,ppid=,stat=,ucomm=") cat "$C/darwin-ps-axo.txt" ;;
"-o pid=,ppid=,stat=,ucomm= -p 5") echo 'ps: illegal option -- ucomm' ;;
"-o pid=,ppid=,stat=,ucomm= -p "*) grep "^ *$4 " "$C/darwin-ps-axo.txt" || exit 1 ;;
"-M -p 7420") cat "$C/darwin-ps-M.txt" ;;
"-M -p "*) echo 'USER   PID   TT  %CPU STAT PRI     STIME     UTIME COMMAND'; exit 1 ;;
"-Eww -axo pid=,command=") cat "$C/darwin-ps-E.txt" ;;
"-o pid=,ppid=,pgid=,stat= -p 7431") cat "$C/darwin-ps-origin.txt" ;;
"-o pid=,ppid=,pgid=,stat= -p "*) exit 1 ;;
"-ww -o command= -p 7431") cat "$C/darwin-ps-command.txt" ;;
"-Eww -o command= -p 7431") cat "$C/darwin-ps-command-env.txt" ;;
*) echo "ps: unexpected: $*" >&2; exit 64 ;;
esac
`;
const LSOF = `#!/bin/sh
case "$*" in
"-n -P -p 7420") cat '${COMPOSED}/darwin-lsof-p.txt' ;;
*) exit 1 ;;
esac
`;

const bin = mkdtempSync(join(tmpdir(), 'hilt-darwin-tools-'));
const empty = mkdtempSync(join(tmpdir(), 'hilt-darwin-none-'));
for (const [name, text] of [
  ['ps', PS],
  ['lsof', LSOF],
]) {
  writeFileSync(join(bin, name!), text!);
  chmodSync(join(bin, name!), 0o755);
}
const PATH = process.env.PATH;
afterAll(() => {
  for (const d of [bin, empty]) rmSync(d, { recursive: true, force: true });
});

describe('darwin process facts (ps and lsof stand-ins printing the composed samples)', () => {
  beforeAll(() => {
    process.env.PATH = `${bin}:/usr/bin:/bin`;
  });
  afterAll(() => {
    process.env.PATH = PATH; // put back: unit files share one process
  });

  test('one process: pid, ppid, state letter, name; a pid ps does not list is gone', async () => {
    expect(await darwin.process(7420)).toEqual({ pid: 7420, ppid: 7301, state: 'S', name: 'hilt-engine' });
    expect(await darwin.parentPid(7431)).toBe(7420);
    expect(await darwin.processName(611)).toBe('Google Chrome He');
    expect(await darwin.process(99999)).toBeUndefined();
    expect(await darwin.processState(7420)).toBe('alive');
    expect(await darwin.processState(7440)).toBe('zombie');
    expect(await darwin.processState(99999)).toBe('gone');
  });

  test('the list, children (zombie included) and descendants from one snapshot', async () => {
    expect(await darwin.processes()).toHaveLength(11);
    expect(await darwin.children(7420)).toEqual([7431, 7440]);
    expect(await darwin.descendants(7420)).toEqual([7431, 7440, 7432]);
  });

  test('threads from ps -M (main thread has the pid); descriptors from lsof (numbered FDs only)', async () => {
    expect((await darwin.threads(7420))?.map((t) => t.tid)).toEqual([7420, -1, -2, -3]);
    expect(await darwin.threads(99999)).toBeUndefined();
    expect(await darwin.fdCount(7420)).toBe(7);
    expect(await darwin.fdCount(99999)).toBeUndefined(); // lsof found nothing and ps says gone
  });

  test("lsof listing nothing of a live process (another user's) is PLATFORM_UNSUPPORTED saying to run as its user", async () => {
    const e = await darwin.fdCount(7431).catch((x: unknown) => x);
    expect(isHiltError(e, 'PLATFORM_UNSUPPORTED')).toBe(true);
    expect((e as Error).message).toMatch(
      /pid 7431's open descriptors on macOS: lsof listed none[^]*to fix: +run hilt as the target's user/,
    );
  });

  test('the marked processes by ps -E, with their facts', async () => {
    const marked = await darwin.processesWithEnv('HILT_TARGET_MARK', 'kill9-7301-1');
    expect(marked.map((p) => [p.pid, p.name])).toEqual([
      [7420, 'hilt-engine'],
      [7431, 'hilt-engine'],
      [7432, 'sleep'],
    ]);
  });

  test('origin: command line, process group as the session, parent, environment', async () => {
    expect(await darwin.processOrigin(7431)).toEqual({
      cmdline: '/Users/builder/hilt/native/build/hilt-engine --helper',
      sessionId: 7431,
      ppid: 7420,
      env: ['HILT_TARGET_MARK=kill9-7301-1', 'PATH=/usr/bin:/bin', 'HOME=/Users/builder', 'SOUND_NAME=Blackhole 2ch'],
    });
    expect(await darwin.processOrigin(99999)).toBeUndefined();
  });

  test('output hilt cannot read is TOOL_FAILED with the argv and what was seen, not a crash', async () => {
    const e = await darwin.process(5).catch((x: unknown) => x);
    expect(isHiltError(e, 'TOOL_FAILED')).toBe(true);
    expect((e as Error).message).toMatch(/^`ps -o pid=,ppid=,stat=,ucomm= -p 5` gave what hilt cannot read[^]*seen: +ps: illegal option/);
  });

  test('a tool not on PATH is PLATFORM_UNSUPPORTED naming it', async () => {
    process.env.PATH = empty;
    const e = await darwin.processes().catch((x: unknown) => x);
    process.env.PATH = `${bin}:/usr/bin:/bin`;
    expect(isHiltError(e, 'PLATFORM_UNSUPPORTED')).toBe(true);
    expect((e as Error).message).toMatch(/^ps is not on this Mac's PATH[^]*to fix: +it is part of macOS/);
  });
});

describe('darwin: what macOS does not give', () => {
  test.each(['newGroup', 'pythonStackDebugger', 'askToStop'] as const)('%s throws PLATFORM_UNSUPPORTED naming what would', async (fact) => {
    const e = await thrownBy(darwin, fact);
    expect(isHiltError(e, 'PLATFORM_UNSUPPORTED')).toBe(true);
    expect((e as Error).message).toMatch(/^.+ on macOS: not implemented yet \(would use .+\)/);
  });

  test("another process's resource limits: PLATFORM_UNSUPPORTED saying macOS shows none, and what hilt can give", async () => {
    const e = await thrownBy(darwin, 'resourceLimits');
    expect(isHiltError(e, 'PLATFORM_UNSUPPORTED')).toBe(true);
    expect((e as Error).message).toMatch(/^pid 4242's resource limits on macOS: macOS shows no other process's limits/);
    expect((e as Error).message).toMatch(new RegExp(`to fix: +ask for hilt's own \\(pid ${process.pid}\\)`));
  });

  // sh is the same on Linux: its answer is checked against /proc/self/limits, read by the Linux module.
  test.runIf(process.platform === 'linux')("hilt's own limits through a shell it starts, in bytes", async () => {
    const { linux } = await import('./linux.ts');
    expect(await darwin.resourceLimits(process.pid)).toEqual(await linux.resourceLimits(process.pid));
  });

  test('no cgroups: containment says so and what finds helpers instead', () => {
    expect(darwin.containment()).toMatchObject({ ok: false, why: 'macOS has no cgroups', fix: expect.stringMatching(/marker \(ps -E\)/) });
  });
});

describe('darwin: crashes and stacks', () => {
  test('nothing before the target: macOS reports every crash itself (crashReport); cores would go to /cores', () => {
    expect(darwin.coreLaunchPrefix()).toEqual([]);
    expect(typeof darwin.crashReport).toBe('function');
    expect(darwin.isCoreFile('core.7420')).toBe(true);
    expect(darwin.isCoreFile('core-backtrace.txt')).toBe(false);
  });

  test('a core, when there is one, read by lldb', () => {
    const lldb = darwin.coreDebugger();
    expect([lldb.tool, ...lldb.args('/x/hilt-engine', '/cores/core.7420')]).toEqual([
      'lldb',
      '--batch',
      '-c',
      '/cores/core.7420',
      '/x/hilt-engine',
      '-o',
      'thread backtrace all',
    ]);
    expect(lldb.parser).toBe('lldb');
  });

  // The lldb parser on the recorded attach: harness/evidence/stack-parsers.test.ts.
  test('live stacks: lldb attaches and detaches, read by the lldb parser', () => {
    const lldb = darwin.stackDebugger();
    expect([lldb.tool, ...lldb.args(42)]).toEqual(['lldb', '-p', '42', '--batch', '-o', 'thread backtrace all', '-o', 'process detach']);
    expect(lldb.parser).toBe('lldb');
  });

  test('the reaper is the same bash script; exit codes carry no OS name', () => {
    expect(darwin.reaperArgv()).toEqual(['bash', expect.stringMatching(/harness\/platform\/reaper\.sh$/)]);
    expect(darwin.exitStatus(139)).toBeUndefined();
  });
});
