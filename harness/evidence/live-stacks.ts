// Native stacks of every thread of a live process, taken by the platform's debugger (gdb on Linux,
// lldb on macOS, cdb on Windows: harness/platform says which). The watchdog takes them at a soft
// deadline, before it kills a hung process, so the report shows where it hung. A missing debugger
// is said, not fatal.
import { isUnsupported, platformFor, type Debugger } from '../platform/index.ts';
import { Child } from '../proc/child.ts';
import { now } from '../wait.ts';
import { commandLine } from './command-line.ts';
import type { Stacks } from './gdb-stacks.ts';
import { describePyWaits, parsePyBt } from './py-stacks.ts';
import { parseStacks } from './stack-parsers.ts';

export interface StackCapture {
  tool: string; // "gdb"
  command: string; // as a person would type it
  text: string; // the debugger's output (or why there is none)
  stacks?: Stacks; // parsed, when the debugger ran
  tookMs: number;
  missing?: string; // the debugger is not installed: what to install
  python?: string; // a Python program: which of its lines each thread waits in (gdb py-bt)
}

export async function takeStacks(pid: number, opts: { deadlineMs?: number; platform?: NodeJS.Platform } = {}): Promise<StackCapture> {
  const native = await nativeStacks(pid, opts);
  const os = opts.platform ?? process.platform;
  // A CPython process: its Python stacks too, so the report says which Python line each thread waits in.
  const name =
    os === process.platform
      ? await platformFor(os)
          .processName(pid)
          .catch(() => undefined)
      : undefined;
  if (!name || !/^python/.test(name)) return native;
  let dbg: Debugger<[pid: number]>;
  try {
    dbg = platformFor(os).pythonStackDebugger();
  } catch (e) {
    if (!isUnsupported(e)) throw e;
    return { ...native, text: `${native.text}\n\n(no Python stacks: ${e.message})` };
  }
  // One deadline for both runs: the watchdog's budget counts the stacks once.
  const py = await runDebugger(dbg, pid, Math.max(1000, (opts.deadlineMs ?? 20_000) - native.tookMs));
  const threads = parsePyBt(py.stdout);
  const python = threads.length ? describePyWaits(threads) : undefined;
  const said = threads.length ? '' : `\n(no Python frames: install ${dbg.install})`;
  return {
    ...native,
    text: `${native.text}\n\n--- Python stacks ---\n${py.text}${said}`,
    tookMs: native.tookMs + py.tookMs,
    ...(python && { python }),
  };
}

interface DebuggerRun {
  stdout: string;
  text: string; // the command, then what it printed (or why it could not run)
  tookMs: number;
  missing?: string; // it could not start: what to install (or the platform's reason)
}

// One debugger run under its own deadline (a debugger stuck on a wedged target must not hang hilt),
// as a Child: registered with the reaper, so it goes with hilt even if hilt is killed.
async function runDebugger(dbg: Debugger<[pid: number]>, pid: number, deadlineMs: number): Promise<DebuggerRun> {
  const t0 = now();
  const args = dbg.args(pid);
  const command = commandLine(dbg.tool, args);
  let child: Child;
  try {
    child = new Child(dbg.tool, args, { name: dbg.tool, rawStdout: true, tailLines: 100 });
  } catch (e) {
    // A Child needs the platform's reaper: where there is none yet, say so rather than "not installed".
    const missing = isUnsupported(e) ? e.message : dbg.install;
    return { stdout: '', text: isUnsupported(e) ? e.message : `${dbg.tool} is not installed: ${dbg.install}`, tookMs: now() - t0, missing };
  }
  let stdout = '';
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    child.collectStdout().then((t) => ((stdout = t), false)),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(true), deadlineMs))),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    child.signal('SIGKILL');
    await child.exited;
  }
  const late = timedOut ? `\n(${dbg.tool} did not finish within ${deadlineMs} ms and was killed)` : '';
  return { stdout, text: `${command}\n\n${stdout}\n${child.outputTail(100)}${late}`, tookMs: now() - t0 };
}

async function nativeStacks(pid: number, opts: { deadlineMs?: number; platform?: NodeJS.Platform } = {}): Promise<StackCapture> {
  const os = opts.platform ?? process.platform;
  let dbg: Debugger<[pid: number]>;
  try {
    dbg = platformFor(os).stackDebugger();
  } catch (e) {
    if (!isUnsupported(e)) throw e;
    return { tool: 'none', command: '', text: e.message, tookMs: 0, missing: `a debugger for ${os}` };
  }
  const command = commandLine(dbg.tool, dbg.args(pid));
  const run = await runDebugger(dbg, pid, opts.deadlineMs ?? 20_000);
  if (run.missing) return { tool: dbg.tool, command, text: run.text, tookMs: run.tookMs, missing: run.missing };
  const stacks = parseStacks(dbg.parser, run.stdout);
  return { tool: dbg.tool, command, text: run.text, tookMs: run.tookMs, ...(stacks.threads.length ? { stacks } : {}) };
}
