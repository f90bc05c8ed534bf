// The macOS ps and lsof parsers on COMPOSED samples (composed/README.md: written from each tool's
// documented format, not recorded on a Mac), and on outputs they must refuse rather than misread.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { isHiltError } from '../errors.ts';
import {
  lsofFiles,
  parseEnvSuffix,
  parseLsofFdCount,
  parsePsEnvMatch,
  parsePsList,
  parsePsOrigin,
  parsePsThreads,
  parseUlimits,
  PS_ENV,
  PS_LIST,
  psCommand,
  psOne,
  psOrigin,
  psThreads,
  treeBelow,
  type ToolRun,
} from './darwin-ps.ts';

const composed = (file: string) => readFileSync(new URL(`./composed/${file}`, import.meta.url), 'utf8');
const run = (stdout: string, exitCode = 0): ToolRun => ({ exitCode, stdout, stderr: '' });

describe('the argv hilt runs', () => {
  test('ps: header-less columns (name=), ucomm last; -M for threads; -E for environments; lsof without lookups', () => {
    expect(PS_LIST).toEqual(['-axo', 'pid=,ppid=,stat=,ucomm=']);
    expect(psOne(7420)).toEqual(['-o', 'pid=,ppid=,stat=,ucomm=', '-p', '7420']);
    expect(psThreads(7420)).toEqual(['-M', '-p', '7420']);
    expect(PS_ENV).toEqual(['-Eww', '-axo', 'pid=,command=']);
    expect(psCommand(7431, false)).toEqual(['-ww', '-o', 'command=', '-p', '7431']);
    expect(psCommand(7431, true)).toEqual(['-Eww', '-o', 'command=', '-p', '7431']);
    expect(psOrigin(7431)).toEqual(['-o', 'pid=,ppid=,pgid=,stat=', '-p', '7431']);
    expect(lsofFiles(7420)).toEqual(['-n', '-P', '-p', '7420']);
  });
});

describe('ps -axo pid=,ppid=,stat=,ucomm=', () => {
  const all = parsePsList(run(composed('darwin-ps-axo.txt')));

  test('every process: pid, ppid, the first letter of stat, the name (spaces kept)', () => {
    expect(all).toHaveLength(11);
    expect(all[0]).toEqual({ pid: 1, ppid: 0, state: 'S', name: 'launchd' });
    expect(all.find((p) => p.pid === 7420)).toEqual({ pid: 7420, ppid: 7301, state: 'S', name: 'hilt-engine' });
    expect(all.find((p) => p.pid === 611)!.name).toBe('Google Chrome He'); // ucomm: 16 characters at most
    expect(all.find((p) => p.pid === 7440)!.state).toBe('Z');
  });

  test('the tree below hilt-engine in one snapshot: children, grandchild, zombie; not an unrelated namesake', () => {
    expect(treeBelow(all, 7420)).toEqual([7431, 7440, 7432]);
    expect(treeBelow(all, 7301)).toEqual([7420, 7431, 7440, 7432]);
    expect(treeBelow(all, 7432)).toEqual([]);
  });

  test('a line that is not four columns is TOOL_FAILED with what was seen', () => {
    const e = (() => {
      try {
        return parsePsList(run('  PID  PPID STAT UCOMM\n'));
      } catch (err) {
        return err;
      }
    })();
    expect(isHiltError(e, 'TOOL_FAILED')).toBe(true);
    expect((e as Error).message).toMatch(/expected: lines of pid, ppid, stat and ucomm\n\s+seen: +PID +PPID STAT UCOMM/);
  });
});

describe('ps -M -p PID', () => {
  test('four threads; the main thread has the pid (as on Linux), the others are numbered rows', () => {
    const t = parsePsThreads(run(composed('darwin-ps-M.txt')), 7420)!;
    expect(t.map((x) => x.tid)).toEqual([7420, -1, -2, -3]);
    expect(t.filter((x) => x.tid !== 7420)).toHaveLength(3); // inventory/threads.ts's otherThreads
  });

  test('thread rows that repeat USER and TT are read the same', () => {
    const text = composed('darwin-ps-M.txt').replace(/^ {11}7420        /gm, 'builder    7420 s002   ');
    expect(text.match(/^builder/gm)).toHaveLength(4);
    expect(parsePsThreads(run(text), 7420)).toHaveLength(4);
  });

  test('nothing but the header: gone; another header or a row of another pid: TOOL_FAILED', () => {
    expect(parsePsThreads(run(''), 7420)).toBeUndefined();
    expect(() => parsePsThreads(run('  PID TT  STAT      TIME COMMAND\n7420 ??  S      0:00.01 x\n'), 7420)).toThrow(
      /a header USER PID TT/,
    );
    expect(() => parsePsThreads(run(composed('darwin-ps-M.txt')), 7421)).toThrow(/every row naming pid 7421/);
  });
});

describe('lsof -n -P -p PID', () => {
  test('seven descriptors (0 to 6): cwd and the txt rows are files, not descriptors', () => {
    expect(parseLsofFdCount(run(composed('darwin-lsof-p.txt')), 7420)).toBe(7);
  });

  test('no rows: undefined (the caller asks ps whether it is gone); another layout: TOOL_FAILED', () => {
    expect(parseLsofFdCount(run(''), 7420)).toBeUndefined();
    expect(() => parseLsofFdCount(run('p7420\nf0\nf1\n'), 7420)).toThrow(/a header COMMAND PID USER FD/);
    expect(() => parseLsofFdCount(run(composed('darwin-lsof-p.txt')), 1)).toThrow(/every row naming pid 1/);
  });
});

describe('ps -Eww: environments after the command line (own processes only)', () => {
  test('the marked processes, not one whose value only starts the same, nor root-owned ones with no environment shown', () => {
    expect(parsePsEnvMatch(run(composed('darwin-ps-E.txt')), 'HILT_TARGET_MARK=kill9-7301-1')).toEqual([7420, 7431, 7432]);
    expect(parsePsEnvMatch(run(composed('darwin-ps-E.txt')), 'HILT_TARGET_MARK=kill9-7301-10')).toEqual([7502]);
    expect(parsePsEnvMatch(run(composed('darwin-ps-E.txt')), 'HOME=/var/root')).toEqual([]);
  });

  test("a process's environment is what -E adds to its command line; a value with a space stays whole", () => {
    const env = parseEnvSuffix(composed('darwin-ps-command.txt'), composed('darwin-ps-command-env.txt'));
    expect(env).toEqual(['HILT_TARGET_MARK=kill9-7301-1', 'PATH=/usr/bin:/bin', 'HOME=/Users/builder', 'SOUND_NAME=Blackhole 2ch']);
    expect(parseEnvSuffix('/usr/sbin/coreaudiod', '/usr/sbin/coreaudiod\n')).toBeUndefined(); // another user's: none shown
    expect(parseEnvSuffix('/bin/a', '/bin/b X=1')).toBeUndefined(); // exec'd in between: not its own
  });

  test('its parent and process group, the session stand-in', () => {
    expect(parsePsOrigin(run(composed('darwin-ps-origin.txt')), 7431)).toEqual({ ppid: 7420, pgid: 7431, state: 'S' });
    expect(parsePsOrigin(run(''), 7431)).toBeUndefined();
    expect(() => parsePsOrigin(run(' 7431  7420\n'), 7431)).toThrow(/one line: pid, ppid, pgid, stat/);
  });
});

describe("sh -c 'ulimit -Sc; ulimit -Sn'", () => {
  test("sh counts the core limit in 512-byte blocks; 'unlimited' stays a word", () => {
    expect(parseUlimits(run('0\n256\n'))).toEqual({ coreBytes: 0, openFiles: 256 });
    expect(parseUlimits(run('unlimited\n10240\n'))).toEqual({ coreBytes: 'unlimited', openFiles: 10240 });
    expect(parseUlimits(run('8\nunlimited\n'))).toEqual({ coreBytes: 4096, openFiles: 'unlimited' });
    expect(() => parseUlimits(run('sh: ulimit: bad option\n'))).toThrow(/two lines: the core and open-files soft limits/);
  });
});
