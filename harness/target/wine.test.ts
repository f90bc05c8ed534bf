import { describe, expect, it } from 'vitest';
import { Child } from '../proc/child.ts';
import { lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isWineService, windowsPath, LAUNCHER_EXIT, launcherExitCode, serverDirOf, unlinkHome, wineEnv } from './wine.ts';

describe("the launcher's exit line", () => {
  it('the last one wins; CRLF and case do not matter; none is undefined', () => {
    expect(launcherExitCode(['ready', 'hilt-winrun: exit 0xc0000005\r'])).toBe(0xc0000005);
    expect(launcherExitCode(['hilt-winrun: exit 0x00000001', 'hilt-winrun: exit 0x00000000'])).toBe(0);
    expect(launcherExitCode(['exit 0xC0000005', 'hilt-winrun: exit 5'])).toBeUndefined();
  });

  // A shell stands in for hilt-winrun: what it prints is what the launcher prints, and its own
  // status is the low byte only, as Linux reports a Windows program's.
  it('a child with an exit line is classified by the full NTSTATUS, not by the low byte', async () => {
    const child = new Child('sh', ['-c', 'printf "ready\\r\\n"; echo "hilt-winrun: exit 0xC0000005" >&2; exit 5'], {
      name: 'winrun-stand-in',
      exitLine: { re: LAUNCHER_EXIT, parse: launcherExitCode },
    });
    await child.waitForLine(/^ready$/); // the \r of a Windows line is not part of it
    const done = await child.exited;
    expect(done.exitCode).toBe(5);
    expect(done.exit).toMatchObject({ kind: 'crash', code: 0xc0000005, name: 'STATUS_ACCESS_VIOLATION (0xC0000005)' });
  });

  it('without the line (the launcher killed, or another program), the Linux status stands', async () => {
    const child = new Child('sh', ['-c', 'exit 5'], { name: 'no-line', exitLine: { re: LAUNCHER_EXIT, parse: launcherExitCode } });
    expect((await child.exited).exit).toMatchObject({ kind: 'error', name: 'exit 5' });
  });
});

it('every Wine process runs in the given prefix with no debug channels and no installers', () => {
  expect(wineEnv('/b/p')).toEqual({
    WINEPREFIX: '/b/p',
    XDG_CONFIG_HOME: '/b/xdg/config', // Wine's menu and MIME folders: not in the user's home
    XDG_DATA_HOME: '/b/xdg/data',
    XDG_CACHE_HOME: '/b/xdg/cache',
    WINEDEBUG: '-all',
    WINEDLLOVERRIDES: 'winemenubuilder.exe,mscoree,mshtml=',
    WINEARCH: 'win64',
  });
});

it("wineserver's socket dir is the one the prefix names, and only a name of that shape", () => {
  expect(serverDirOf('wine-m35Zs6\n')).toBe('/tmp/wine-m35Zs6');
  expect(serverDirOf('../../etc')).toBeUndefined();
  expect(serverDirOf('')).toBeUndefined();
});

it("Wine's own processes are told apart from a program's, by name", () => {
  for (const comm of ['wineserver64', 'services.exe', 'winedevice.exe', 'plugplay.exe', 'svchost.exe', 'rpcss.exe']) {
    expect(isWineService(comm), comm).toBe(true);
  }
  expect(isWineService('hilt-engine-win')).toBe(false);
  expect(isWineService('wine64-preloader')).toBe(false);
});

it("the Windows user's folders that wineboot links to $HOME become folders of the prefix; links inside it stay", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilt-unlink-'));
  try {
    const home = join(dir, 'home');
    const user = join(dir, 'prefix', 'drive_c', 'users', 'me');
    mkdirSync(home);
    mkdirSync(join(user, 'AppData'), { recursive: true });
    symlinkSync(home, join(user, 'Music'));
    symlinkSync(join(user, 'AppData'), join(user, 'Inside'));
    expect(await unlinkHome(join(dir, 'prefix'))).toEqual([join(user, 'Music')]);
    expect(lstatSync(join(user, 'Music')).isDirectory()).toBe(true);
    expect(lstatSync(join(user, 'Inside')).isSymbolicLink()).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('a Unix path is given to Windows programs on drive Z:', () => {
  expect(windowsPath('/work/main/native/build-win/hilt-engine-win.exe')).toBe('Z:\\work\\main\\native\\build-win\\hilt-engine-win.exe');
  expect(windowsPath('C:\\windows\\system32\\cmd.exe')).toBe('C:\\windows\\system32\\cmd.exe');
});
