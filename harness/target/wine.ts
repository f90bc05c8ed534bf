// Windows programs on Linux, under Wine: how a target whose config says
// `"wine": true` is run. One private prefix, made once under native/build-win and reused (its first boot
// takes about 6 s); Wine's crash debugger off (with it on, 2 of 25 crashes exited 0 instead of
// 0xC0000005); the program started through hilt's launcher, which reports the full exit code read
// inside Wine (the Linux status keeps only its low byte); wineserver stopped after the program.
// Nothing is written under the user's home: WINEPREFIX always points into the project.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ROOT } from '../root.ts';
import { HiltError } from '../errors.ts';
import { which } from '../proc/which.ts';
import { now, pollUntil } from '../wait.ts';
import { runTool } from '../watchdog/tool.ts';

export const WIN_BUILD = join(ROOT, 'native', 'build-win');
export const WINE_PREFIX = join(WIN_BUILD, 'prefix');
// Debian's Wine keeps wineserver's socket in /tmp/wine-XXXXXX/, named once per prefix in the
// prefix's own `wineserver` file, and leaves it there: removed after wineserver is stopped.
export const serverDirOf = (prefixFileText: string): string | undefined =>
  /^wine-[A-Za-z0-9]{6}$/.test(prefixFileText.trim()) ? join('/tmp', prefixFileText.trim()) : undefined;
export const LAUNCHER = join(WIN_BUILD, 'hilt-winrun.exe');
// The launcher's last word on stderr: the exit code GetExitCodeProcess gave, in full.
export const LAUNCHER_EXIT = /^hilt-winrun: exit 0x([0-9A-Fa-f]{8})\s*$/;

const AEDEBUG = 'HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion\\AeDebug';

// What every Wine process of hilt's runs with: the private prefix, no debug channels, no menu
// entries or .NET/Gecko installers (they would write files and ask questions).
export function wineEnv(prefix = WINE_PREFIX): Record<string, string> {
  // Wine makes menu, desktop and MIME folders under the XDG dirs (empty, but in the user's home):
  // they go next to the prefix instead.
  const xdg = join(dirname(prefix), 'xdg');
  return {
    WINEPREFIX: prefix,
    XDG_CONFIG_HOME: join(xdg, 'config'),
    XDG_DATA_HOME: join(xdg, 'data'),
    XDG_CACHE_HOME: join(xdg, 'cache'),
    WINEDEBUG: '-all',
    WINEDLLOVERRIDES: 'winemenubuilder.exe,mscoree,mshtml=',
    WINEARCH: 'win64',
  };
}

// Pure: the full exit code from the launcher's output lines, or undefined when it said none.
export function launcherExitCode(lines: readonly string[]): number | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = LAUNCHER_EXIT.exec(lines[i]!.trim());
    if (m) return parseInt(m[1]!, 16);
  }
  return undefined;
}

// Wine's own processes (the server and the services it starts for a prefix), by their comm name.
const WINE_SERVICES = /^(wineserver(64)?|services\.exe|winedevice\.exe|plugplay\.exe|svchost\.exe|rpcss\.exe|explorer\.exe|conhost\.exe)$/;
export const isWineService = (comm: string): boolean => WINE_SERVICES.test(comm);

// Pure: an absolute Unix path as Wine's Windows programs see it (drive Z: is the root).
export const windowsPath = (path: string): string => (path.startsWith('/') ? `Z:${path.replace(/\//g, '\\')}` : path);

export function requireWine(): string {
  const wine = which('wine') ?? which('wine64');
  if (!wine) {
    throw new HiltError('RIG_MISSING', 'Windows targets run under Wine, which is not installed', {
      expected: 'wine (Debian: the wine and wine64 packages; no i386 architecture needed)',
      seen: 'neither wine nor wine64 on PATH',
      hint: 'sudo apt-get install -y --no-install-recommends wine wine64   (or run: pnpm run setup)',
    });
  }
  return wine;
}

// The prefix, made once: wineboot, then Wine's crash debugger switched off (the AeDebug Debugger
// value empty: deleting it is not enough, Wine falls back to winedbg). A half-made prefix (a
// killed boot) is made again: the marker file is written last. `win10`: the Windows version the
// prefix reports (Wine 8 makes win7; Node 22 for Windows refuses anything older than 8.1).
export async function ensurePrefix(
  prefix = WINE_PREFIX,
  onProgress?: (line: string) => void,
  opts: { win10?: boolean } = {},
): Promise<{ madeMs?: number }> {
  const marker = join(prefix, '.hilt-ready');
  if (existsSync(marker)) return (await unlinkHome(prefix), {});
  const wine = requireWine();
  const t0 = now();
  onProgress?.(`making the Wine prefix ${prefix} (once, about 6 s)`);
  await rm(prefix, { recursive: true, force: true });
  await mkdir(dirname(prefix), { recursive: true });
  const env = wineEnv(prefix);
  const step = async (args: string[], what: string) => {
    const r = await runTool(wine, args, { env, reject: false, deadlineMs: 120_000 });
    if (r.exitCode !== 0) {
      throw new HiltError('RIG_START', `the Wine prefix could not be made: ${what} failed`, {
        expected: `wine ${args.join(' ')} to exit 0`,
        seen: `exit ${r.exitCode ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
        hint: `remove ${prefix} and try again; check that wine --version answers`,
      });
    }
  };
  try {
    await step(['wineboot', '-i'], 'wineboot -i');
    await step(['reg', 'add', AEDEBUG, '/v', 'Debugger', '/t', 'REG_SZ', '/d', '', '/f'], 'switching the crash debugger off');
    await step(['reg', 'add', AEDEBUG, '/v', 'Auto', '/t', 'REG_SZ', '/d', '0', '/f'], 'switching the crash debugger off');
    if (opts.win10) await step(['winecfg', '-v', 'win10'], 'setting the Windows version to win10');
  } finally {
    await stopWineserver(prefix);
  }
  await unlinkHome(prefix);
  await writeFile(marker, `made by hilt ${new Date().toISOString()}\n`);
  return { madeMs: now() - t0 };
}

// wineboot links the Windows user's Desktop, Documents, Music... to $HOME itself: a Windows program
// would write into the user's home through them (and a crawler of the project walks the whole home).
// Each link that leaves the prefix becomes an empty folder of the prefix's own.
export async function unlinkHome(prefix = WINE_PREFIX): Promise<string[]> {
  const users = join(prefix, 'drive_c', 'users');
  const replaced: string[] = [];
  for (const user of await readdir(users).catch(() => [] as string[])) {
    for (const name of await readdir(join(users, user)).catch(() => [] as string[])) {
      const path = join(users, user, name);
      const st = await lstat(path).catch(() => undefined);
      if (!st?.isSymbolicLink()) continue;
      if (resolve(dirname(path), await readlink(path)).startsWith(`${prefix}/`)) continue;
      await rm(path);
      await mkdir(path);
      replaced.push(path);
    }
  }
  return replaced;
}

// wineserver stays about 0.55 s after its last program (Debian runs it with -p0); -k ends it now,
// and with it any Windows process of this prefix still running.
export async function stopWineserver(prefix = WINE_PREFIX): Promise<void> {
  const server = which('wineserver') ?? which('wineserver64');
  if (!server || !existsSync(prefix)) return;
  await runTool(server, ['-k'], { env: wineEnv(prefix), reject: false, deadlineMs: 10_000 });
  const dir = serverDirOf(await readFile(join(prefix, 'wineserver'), 'utf8').catch(() => ''));
  // -k returns before the server and Wine's services are gone: wait for every process of the prefix.
  const gone = await pollUntil(() => wineProcessesOf(prefix).length === 0, { deadlineMs: 5000, intervalMs: 50 });
  if (dir) await rm(dir, { recursive: true, force: true });
  if (!gone.ok) {
    throw new HiltError('DEADLINE', "Wine's processes did not end after wineserver -k", {
      expected: `no process of the prefix ${prefix} within 5000 ms`,
      seen: `still running: ${wineProcessesOf(prefix).join(', ')}`,
      hint: `WINEPREFIX=${prefix} wineserver -k; then look for them with ps`,
    });
  }
}

// Live processes (zombies have ended) of a prefix, as "pid comm": the programs carry WINEPREFIX in
// their environment; wineserver runs in its socket dir and Wine's services in the prefix (their
// environment cannot always be read while they end), so another prefix's are not counted.
export function wineProcessesOf(prefix = WINE_PREFIX): string[] {
  const dir = serverDirOf(readFileOr(join(prefix, 'wineserver')));
  const inside = (cwd: string) => cwd.startsWith(`${prefix}/`) || (dir !== undefined && cwd.startsWith(`${dir}/`));
  const found: string[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    if (/^\S+ \(.*\) Z/.test(readFileOr(`/proc/${p}/stat`))) continue;
    const cwd = (() => {
      try {
        return readlinkSync(`/proc/${p}/cwd`);
      } catch {
        return '';
      }
    })();
    if (inside(cwd) || readFileOr(`/proc/${p}/environ`).includes(`WINEPREFIX=${prefix}\0`)) {
      found.push(`${p} ${readFileOr(`/proc/${p}/comm`).trim()}`);
    }
  }
  return found;
}

// A file's text, or '' when it is gone or not ours to read (a process that just ended).
function readFileOr(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}
