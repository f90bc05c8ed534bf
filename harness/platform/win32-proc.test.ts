// hilt-winproc.exe's answers, parsed from output it really gave under Wine 8 (recorded/, made by
// running `hilt-winrun --job Local\hilt-try-1 cmd.exe /c "ping -n 20 127.0.0.1 > nul"` and asking
// while it ran, then after `kill <ping> 9`); and the tree rule for a reused pid.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isHiltError } from '../errors.ts';
import { isChildOf, parseJob, parseProcess, parseProcesses, treeBelow, winprocFailed, type WinProcess } from './win32-proc.ts';

const recorded = (file: string) => readFileSync(new URL(`./recorded/${file}`, import.meta.url), 'utf8');
// Its stderr as Wine's console wrote it, in Windows lines (\r\n); stdout is printf's (\n).
const lines = (file: string) => recorded(file).replace(/\r\n/g, '\n');

describe('hilt-winproc processes', () => {
  const all = parseProcesses(recorded('winproc-processes.jsonl'));

  it('every process of the list: pid, ppid, exe name, threads, creation time, alive', () => {
    expect(all.map((p) => p.name)).toEqual([
      'hilt-winrun.exe',
      'services.exe',
      'winedevice.exe',
      'winedevice.exe',
      'plugplay.exe',
      'svchost.exe',
      'cmd.exe',
      'ping.exe',
      'hilt-winproc.exe',
    ]);
    const cmd = all.find((p) => p.name === 'cmd.exe')!;
    expect(cmd).toMatchObject({ ppid: 32, threads: 1, state: 'alive' });
    expect(cmd.createdUs).toBeGreaterThan(1.7e15); // microseconds since 1970: after 2023
    expect(all.every((p) => p.state === 'alive')).toBe(true);
  });

  it('the tree below the launcher: cmd.exe, then the ping.exe it started', () => {
    const launcher = all.find((p) => p.name === 'hilt-winrun.exe')!;
    expect(treeBelow(all, launcher.pid).map((p) => p.name)).toEqual(['cmd.exe', 'ping.exe']);
    expect(treeBelow(all, 99999)).toEqual([]);
  });

  it('env-match: the processes whose environment holds the marker (Wine hands it to its own services too)', () => {
    const marked = parseProcesses(recorded('winproc-env-match.jsonl')).map((p) => p.name);
    expect(marked).toEqual(expect.arrayContaining(['hilt-winrun.exe', 'cmd.exe', 'ping.exe']));
  });

  it('a line that is not JSON is a TOOL_FAILED naming it, never an empty list', () => {
    expect(() => parseProcesses('{"pid":1,"ppid":0,"name":"a"}\nhilt-winproc: oops')).toThrow(/not a JSON object/);
  });
});

describe('isChildOf: Windows never re-parents, and reuses pids', () => {
  const parent: WinProcess = { pid: 200, ppid: 32, name: 'cmd.exe', threads: 1, createdUs: 2_000 };
  it('a process naming the parent and created after it is its child', () => {
    expect(isChildOf({ pid: 208, ppid: 200, name: 'ping.exe', threads: 1, createdUs: 2_500 }, parent)).toBe(true);
  });
  it("one created before it names an older process that had the parent's pid: not a child", () => {
    expect(isChildOf({ pid: 208, ppid: 200, name: 'old.exe', threads: 1, createdUs: 1_000 }, parent)).toBe(false);
    const all = [parent, { pid: 208, ppid: 200, name: 'old.exe', threads: 1, createdUs: 1_000 }];
    expect(treeBelow(all, 200)).toEqual([]);
  });
});

describe('hilt-winproc process PID', () => {
  it('alive: its threads, session, command line and environment; Wine counts no handles', () => {
    const d = parseProcess(recorded('winproc-process-cmd.json'))!;
    expect(d).toMatchObject({ name: 'cmd.exe', ppid: 32, state: 'alive', session: 1, cmdline: 'cmd.exe /c "ping -n 20 127.0.0.1 > nul"' });
    expect(d.threadIds).toHaveLength(1);
    expect(d.threadNames).toEqual(['']);
    expect(d.handles).toBeUndefined();
    expect(d.handlesUnavailable).toMatch(/GetProcessHandleCount gave 0/);
    expect(d.env).toContain('HILT_TARGET_MARK=try-1');
  });
  it('killed (exit 9) while its parent still holds it: exited with its code, no longer listed, no command line', () => {
    const d = parseProcess(recorded('winproc-process-exited.json'))!;
    expect(d).toMatchObject({ state: 'exited', exitCode: 9, threadIds: [] });
    expect(d.name).toBeUndefined();
    expect(d.cmdlineUnavailable).toMatch(/ProcessCommandLineInformation\) gave 0xC0000003/);
  });
  it('no such process: exit 3 and one line naming the call and its error', () => {
    expect(lines('winproc-process-missing.stderr')).toBe('hilt-winproc: OpenProcess(99999) failed: error 87 (Invalid parameter)\nexit 3\n');
  });
});

describe('hilt-winproc job-pids NAME', () => {
  it('the program and its child while it runs', () => {
    expect(parseJob(recorded('winproc-job-pids.json'))).toMatchObject({ job: 'Local\\hilt-try-1', assigned: 2, total: 2, active: 2 });
    expect(parseJob(recorded('winproc-job-pids.json'))!.pids).toHaveLength(2);
  });
  it('after its members ended: an empty list, the accounting still counting two', () => {
    expect(parseJob(recorded('winproc-job-pids-empty.json'))).toMatchObject({ pids: [], assigned: 0, total: 2, active: 0 });
  });
  it('a job nobody holds: exit 3, OpenJobObject named', () => {
    expect(lines('winproc-job-pids-missing.stderr')).toMatch(
      /^hilt-winproc: OpenJobObject\(Local\\hilt-nope\) failed: error 2 .*\nexit 3\n$/,
    );
  });
  it('a failure is said with its stderr line', () => {
    const e = winprocFailed(['job-pids', 'X'], { exitCode: 4, stdout: '', stderr: 'hilt-winproc: OpenJobObject(X) failed: error 5\n' });
    expect(isHiltError(e, 'TOOL_FAILED')).toBe(true);
    expect(e.message).toMatch(/job-pids X failed \(exit 4\)\n[^]*seen: +hilt-winproc: OpenJobObject\(X\) failed: error 5/);
  });
});
