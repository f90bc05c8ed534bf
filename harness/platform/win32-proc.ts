// hilt-winproc.exe (native/src/win/winproc_main.cpp): the Windows process facts and job objects the
// win32 platform asks for. Its answers are JSON lines; a failure is one stderr line naming the call
// and GetLastError, with an exit code saying which kind (3: no such process or job, 4: denied).
// The parsers are pure (tested on recorded output); running it is the only I/O here.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HiltError } from '../errors.ts';
import { ROOT } from '../root.ts';

// Built by `pnpm build:native:win` beside the launcher, which names the jobs it finds (--job).
export const WIN_BUILD_DIR = join(ROOT, 'native', 'build-win');
export const WINPROC = join(WIN_BUILD_DIR, 'hilt-winproc.exe');
export const WINRUN = join(WIN_BUILD_DIR, 'hilt-winrun.exe');

export const EXIT_NOT_FOUND = 3;
export const EXIT_DENIED = 4;

// One process of the list (Toolhelp32), with what OpenProcess allowed: its creation time tells a
// reused pid from the process it once was; `open` says why it could not be opened.
export interface WinProcess {
  pid: number;
  ppid: number;
  name: string;
  threads: number;
  createdUs?: number; // microseconds since 1970
  state?: 'alive' | 'exited';
  exitCode?: number;
  open?: string;
}

// One process asked for by pid. An exited process whose object another still holds open is no
// longer listed (no ppid, no name) but still answers: exited, with its exit code.
export interface WinProcessDetail {
  pid: number;
  ppid?: number;
  name?: string;
  createdUs?: number;
  state?: 'alive' | 'exited';
  exitCode?: number;
  threadIds?: number[];
  threadNames?: string[]; // GetThreadDescription, "" for a thread without a name
  handles?: number;
  handlesUnavailable?: string; // Wine 8: GetProcessHandleCount gives 0
  session?: number;
  cmdline?: string;
  cmdlineUnavailable?: string;
  env?: string[]; // NAME=value entries from its PEB; absent: unreadable
  open?: string;
}

export interface WinJob {
  job: string;
  pids: number[];
  assigned: number;
  total?: number; // every process that ever ran in it
  active?: number;
  terminated?: number; // ended by TerminateJobObject or by a limit
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const str = (v: unknown): v is string => typeof v === 'string';

function objects(text: string, what: string): Record<string, unknown>[] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((l) => {
      try {
        const v = JSON.parse(l) as unknown;
        if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
      } catch {
        /* said below */
      }
      throw new HiltError('TOOL_FAILED', `hilt-winproc ${what}: a line that is not a JSON object`, {
        expected: 'one JSON object per line',
        seen: l.slice(0, 200),
        hint: 'rebuild it (pnpm build:native:win): the helper and hilt come from the same sources',
      });
    });
}

const state = (v: unknown): 'alive' | 'exited' | undefined => (v === 'alive' || v === 'exited' ? v : undefined);

// `processes` and `env-match`: one line per process; a line without pid, ppid and name is skipped.
export function parseProcesses(text: string): WinProcess[] {
  return objects(text, 'processes').flatMap((o) =>
    num(o.pid) && num(o.ppid) && str(o.name)
      ? [
          {
            pid: o.pid,
            ppid: o.ppid,
            name: o.name,
            threads: num(o.threads) ? o.threads : 0,
            ...(num(o.createdUs) && o.createdUs >= 0 && { createdUs: o.createdUs }),
            ...(state(o.state) && { state: state(o.state) }),
            ...(num(o.exitCode) && { exitCode: o.exitCode }),
            ...(str(o.open) && { open: o.open }),
          },
        ]
      : [],
  );
}

export function parseProcess(text: string): WinProcessDetail | undefined {
  const o = objects(text, 'process')[0];
  if (!o || !num(o.pid)) return undefined;
  const copy = <K extends keyof WinProcessDetail>(k: K, ok: (v: unknown) => boolean) => (ok(o[k]) ? { [k]: o[k] } : {});
  return {
    pid: o.pid,
    ...copy('ppid', num),
    ...copy('name', str),
    ...(num(o.createdUs) && o.createdUs >= 0 && { createdUs: o.createdUs }),
    ...(state(o.state) && { state: state(o.state) }),
    ...copy('exitCode', num),
    ...(Array.isArray(o.threadIds) && { threadIds: o.threadIds.filter(num) }),
    ...(Array.isArray(o.threadNames) && { threadNames: o.threadNames.map((n) => (str(n) ? n : '')) }),
    ...copy('handles', num),
    ...copy('handlesUnavailable', str),
    ...copy('session', num),
    ...copy('cmdline', str),
    ...copy('cmdlineUnavailable', str),
    ...(Array.isArray(o.env) && { env: o.env.filter(str) }),
    ...copy('open', str),
  } as WinProcessDetail;
}

export function parseJob(text: string): WinJob | undefined {
  const o = objects(text, 'job-pids')[0];
  if (!o || !str(o.job) || !Array.isArray(o.pids)) return undefined;
  return {
    job: o.job,
    pids: o.pids.filter(num),
    assigned: num(o.assigned) ? o.assigned : o.pids.length,
    ...(num(o.total) && { total: o.total }),
    ...(num(o.active) && { active: o.active }),
    ...(num(o.terminated) && { terminated: o.terminated }),
  };
}

// Windows never re-parents: a process's ppid names whoever started it, even after that one ended
// and its pid went to another. A child is only a child if it was created after its parent. Pure.
export function isChildOf(child: WinProcess, parent: WinProcess): boolean {
  if (child.ppid !== parent.pid || child.pid === parent.pid) return false;
  return child.createdUs === undefined || parent.createdUs === undefined || child.createdUs >= parent.createdUs;
}

// The tree below pid in one listing, breadth first (parents before children).
export function treeBelow(all: WinProcess[], pid: number): WinProcess[] {
  const root = all.find((p) => p.pid === pid);
  if (!root) return [];
  const out: WinProcess[] = [];
  for (let frontier = [root]; frontier.length;) {
    const next = all.filter((p) => frontier.some((f) => isChildOf(p, f)) && !out.includes(p));
    out.push(...next);
    frontier = next;
  }
  return out;
}

export interface WinprocRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

// What is missing for the helper to run, or undefined.
export const winprocMissing = (): string | undefined => [WINPROC, WINRUN].filter((f) => !existsSync(f)).map((f) => `${f} is not built`)[0];

function notBuilt(): HiltError {
  return new HiltError('ENGINE_NOT_BUILT', `hilt's Windows process helper is not built: ${winprocMissing()}`, {
    expected: `${WINPROC} and ${WINRUN}`,
    seen: 'no such file',
    hint: 'pnpm build:native:win (needs CMake and MinGW-w64: MSYS2 mingw64 on Windows, Debian mingw-w64 on Linux)',
  });
}

// Its failure said as a HiltError: the stderr line names the call and GetLastError.
export function winprocFailed(args: string[], r: WinprocRun): HiltError {
  return new HiltError('TOOL_FAILED', `hilt-winproc ${args.join(' ')} failed (exit ${r.exitCode})`, {
    expected: 'exit 0 and its answer on stdout',
    seen: r.stderr.trim() || r.stdout.trim().slice(0, 300) || '(no output)',
    hint: 'run it by hand with the same arguments; exit 4 is access denied (another user or a protected process)',
  });
}

const TIMEOUT_MS = 15_000;

export function winprocSync(args: string[]): WinprocRun {
  if (!existsSync(WINPROC)) throw notBuilt();
  const r = spawnSync(WINPROC, args, { encoding: 'utf8', timeout: TIMEOUT_MS, windowsHide: true });
  return { exitCode: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

export function winproc(args: string[]): Promise<WinprocRun> {
  if (!existsSync(WINPROC)) return Promise.reject(notBuilt());
  return new Promise((done) => {
    execFile(WINPROC, args, { encoding: 'utf8', timeout: TIMEOUT_MS, windowsHide: true, maxBuffer: 64 << 20 }, (e, stdout, stderr) => {
      const code = e ? (typeof e.code === 'number' ? e.code : -1) : 0;
      done({ exitCode: code, stdout, stderr: stderr + (e && code === -1 ? String(e) : '') });
    });
  });
}
