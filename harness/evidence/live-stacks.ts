// Native stacks of every thread of a live process, taken by the platform's debugger: gdb on
// Linux, lldb on macOS, cdb on Windows. The watchdog takes them at a soft deadline, before it
// kills a hung process, so the report shows where it hung. A missing debugger is said, not fatal.
import { Child } from '../proc/child.ts';
import { now } from '../wait.ts';
import { parseCdbStacks } from './cdb-stacks.ts';
import { parseGdbStacks, type Stacks } from './gdb-stacks.ts';
import { parseLldbStacks } from './lldb-stacks.ts';

export interface StackCapture {
  tool: string; // "gdb"
  command: string; // as a person would type it
  text: string; // the debugger's output (or why there is none)
  stacks?: Stacks; // parsed, when the debugger ran
  tookMs: number;
  missing?: string; // the debugger is not installed: what to install
}

interface Debugger {
  tool: string;
  args: (pid: number) => string[];
  parse: (text: string) => Stacks;
  install: string;
}

const DEBUGGERS: Partial<Record<NodeJS.Platform, Debugger>> = {
  linux: {
    tool: 'gdb',
    args: (pid) => ['-p', String(pid), '-batch', '-nx', '-ex', 'info threads', '-ex', 'thread apply all bt'],
    parse: parseGdbStacks,
    install: 'apt-get install gdb (npm run setup installs it)',
  },
  darwin: {
    tool: 'lldb',
    args: (pid) => ['-p', String(pid), '--batch', '-o', 'thread backtrace all', '-o', 'process detach'],
    parse: parseLldbStacks,
    install: 'xcode-select --install (lldb comes with the Command Line Tools)',
  },
  win32: {
    tool: 'cdb',
    // -pv: noninvasive, the target is suspended while read and resumed on "qd" (quit and detach).
    args: (pid) => ['-p', String(pid), '-pv', '-c', '~*k;qd'],
    parse: parseCdbStacks,
    install: 'install the Debugging Tools for Windows (Windows SDK) and put cdb.exe on PATH',
  },
};

const quote = (a: string) => (/[\s;*~]/.test(a) ? `"${a}"` : a);

export async function takeStacks(pid: number, opts: { deadlineMs?: number; platform?: NodeJS.Platform } = {}): Promise<StackCapture> {
  const t0 = now();
  const platform = opts.platform ?? process.platform;
  const dbg = DEBUGGERS[platform];
  if (!dbg) return { tool: 'none', command: '', text: `no stack tool known for ${platform}`, tookMs: 0, missing: `a debugger for ${platform}` };
  const args = dbg.args(pid);
  const command = [dbg.tool, ...args].map(quote).join(' ');
  const deadlineMs = opts.deadlineMs ?? 20_000;
  // The debugger has its own deadline (a debugger stuck on a wedged target must not hang hilt),
  // and is a Child: registered with the reaper, so it goes with hilt even if hilt is killed.
  let child: Child;
  try {
    child = new Child(dbg.tool, args, { name: dbg.tool, rawStdout: true, tailLines: 100 });
  } catch {
    return { tool: dbg.tool, command, text: `${dbg.tool} is not installed: ${dbg.install}`, tookMs: now() - t0, missing: dbg.install };
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
  const tookMs = now() - t0;
  const text = `${command}\n\n${stdout}\n${child.outputTail(100)}${timedOut ? `\n(${dbg.tool} did not finish within ${deadlineMs} ms and was killed)` : ''}`;
  const stacks = dbg.parse(stdout);
  return { tool: dbg.tool, command, text, tookMs, ...(stacks.threads.length ? { stacks } : {}) };
}
