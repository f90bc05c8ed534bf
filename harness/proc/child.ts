// A child process under hilt's control: registered with the reaper, its output kept as a tail
// and as lines to wait on, its end reported as one flat result (like execa's).
import { execa, type ResultPromise } from 'execa';
import { reaper } from '../cleanup/reaper.ts';
import { now } from '../wait.ts';
import { classifyExit, type ExitClass } from './exit.ts';

export interface ChildResult {
  exitCode: number | null;
  signal: string | null;
  exit: ExitClass; // how it ended, classified once (as execa's result carries signalDescription)
  durationMs: number; // from spawn to exit
  endedAt: number; // performance.now() at exit
}

// A child's result from how it ended (null and null: it has not, or nobody could tell).
// `windowsCode`: the full exit code a launcher read inside Wine (the Linux status has its low byte).
// `said`: its last output lines (a Windows exit 3 is an abort only where the runtime said so).
export function childResult(
  exitCode: number | null,
  signal: string | null,
  startedAt: number,
  windowsCode?: number,
  said?: readonly string[],
): ChildResult {
  const endedAt = now();
  const exit =
    windowsCode !== undefined && !signal
      ? classifyExit({ exitCode: windowsCode, platform: 'win32', ...(said && { said }) })
      : classifyExit({ exitCode, signal });
  return { exitCode, signal, exit, durationMs: endedAt - startedAt, endedAt };
}

export interface ChildOptions {
  name: string; // for messages: "victim", "hilt-engine", "pipewire"
  env?: Record<string, string>;
  cwd?: string;
  stdin?: 'pipe' | 'ignore';
  tailLines?: number;
  rawStdout?: boolean; // stdout is data (a recorder), not log lines
  // A session and process group of its own (setsid), as a shell job or a desktop launcher starts an
  // app: a group kill (kill -9 -PGID) then reaches it and its group, never hilt.
  ownSession?: boolean;
  // It ends by itself when hilt's pipes to it close, however hilt dies (hilt-wasapi.exe: `play` at
  // stdin's EOF, `capture` at its first failed write), so it is not handed to the reaper, which
  // Windows does not have yet.
  endsWithHilt?: boolean;
  // A launcher that prints the real exit code (hilt-winrun under Wine): read from this line.
  exitLine?: { re: RegExp; parse: (lines: readonly string[]) => number | undefined };
}

// How long to wait for a launcher's exit line once the process is gone (it may still be in the pipe).
const EXIT_LINE_MS = 1000;

type LineWaiter = { re: RegExp; resolve: (line: string) => void };

export class Child {
  readonly name: string;
  readonly pid: number;
  readonly startedAt = now();
  readonly exited: Promise<ChildResult>;
  private readonly proc: ResultPromise;
  private readonly tail: string[] = [];
  private readonly maxTail: number;
  private waiters: LineWaiter[] = [];
  private listeners = new Set<(line: string) => void>();
  private result: ChildResult | undefined;
  private lineCount = 0; // every line so far, the tail's dropped ones included
  private readonly streamsEnded: Promise<void>[] = [];

  constructor(file: string, args: string[], opts: ChildOptions) {
    this.name = opts.name;
    this.maxTail = opts.tailLines ?? 200;
    this.proc = execa(file, args, {
      env: opts.env,
      extendEnv: true,
      cwd: opts.cwd,
      stdin: opts.stdin ?? 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      reject: false,
      buffer: false,
      // hilt decides when to escalate (the watchdog): execa's own SIGKILL 5 s after a SIGTERM would
      // kill a hung program while its stacks are still being taken.
      forceKillAfterDelay: false,
      cleanup: true, // not for a detached child (execa's rule): the reaper and its cgroup end it
      detached: opts.ownSession ?? false,
    });
    if (this.proc.pid === undefined) throw new Error(`cannot spawn ${file}`);
    this.pid = this.proc.pid;
    const reaped = !opts.endsWithHilt;
    if (reaped) reaper.trackPid(this.pid);
    if (!opts.rawStdout) this.readLines(this.proc.stdout);
    this.readLines(this.proc.stderr);
    // On the process's own exit, not when its pipes close: a helper it started (a guardian, a
    // crash reporter) may hold its stdout open longer, and its output keeps flowing into the tail.
    this.exited = new Promise<ChildResult>((resolve) => {
      this.proc.once('exit', (code, signal) => {
        if (reaped) reaper.untrackPid(this.pid);
        const finish = (windowsCode?: number) => {
          this.result ??= childResult(code, signal, this.startedAt, windowsCode, this.tail);
          resolve(this.result);
        };
        const exitLine = opts.exitLine;
        if (!exitLine || signal) return finish();
        const found = exitLine.parse(this.tail);
        if (found !== undefined) return finish(found);
        const timer = setTimeout(() => (off(), finish()), EXIT_LINE_MS);
        const off = this.onLine((line) => {
          if (!exitLine.re.test(line.trim())) return;
          clearTimeout(timer);
          off();
          finish(exitLine.parse([line]));
        });
      });
    });
    this.proc.catch(() => {}); // failures are reported through `exited`
  }

  get stdin(): NodeJS.WritableStream | null {
    return this.proc.stdin;
  }

  get stdout(): NodeJS.ReadableStream | null {
    return this.proc.stdout;
  }

  // All of stdout, as text, once the process has exited and its stdout has ended (for a tool
  // whose output is data, with rawStdout). Attach before the child can have written much.
  collectStdout(): Promise<string> {
    let text = '';
    const out = this.proc.stdout;
    if (!out) return this.exited.then(() => '');
    out.setEncoding('utf8');
    out.on('data', (d: string) => (text += d));
    const ended = new Promise<void>((r) => {
      out.once('end', r);
      out.once('close', r);
    });
    return Promise.all([this.exited, ended]).then(() => text);
  }

  get done(): ChildResult | undefined {
    return this.result;
  }

  // Last lines of stdout and stderr, interleaved as they arrived: evidence when a target fails.
  outputTail(lines = 40): string {
    return this.tail.slice(-lines).join('\n');
  }

  // How many lines it has printed so far: a mark to read what came after (linesSince).
  get linesSeen(): number {
    return this.lineCount;
  }

  // The lines printed since `mark` (from linesSeen), as far as the tail still holds them.
  linesSince(mark: number): string[] {
    const n = this.lineCount - mark;
    return n > 0 ? this.tail.slice(-Math.min(n, this.tail.length)) : [];
  }

  // Its stdout and stderr ended (read to their last line), or `ms` passed: what it printed just
  // before it died is still in the pipes when its exit arrives, and a helper may hold them open.
  async drained(ms: number): Promise<void> {
    let t: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.streamsEnded), new Promise((r) => (t = setTimeout(r, ms)))]);
    clearTimeout(t);
  }

  // Resolves with the first line (already seen or future) matching `re`.
  waitForLine(re: RegExp): Promise<string> {
    const seen = this.tail.find((l) => re.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ re, resolve }));
  }

  // Resolves with the next line matching `re` from now on (an answer, not an earlier one).
  nextLine(re: RegExp): Promise<string> {
    return new Promise((resolve) => this.waiters.push({ re, resolve }));
  }

  // Every future line (a heartbeat, a stream of events); returns the unsubscribe.
  onLine(fn: (line: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  signal(sig: NodeJS.Signals): boolean {
    if (this.result) return false;
    return this.proc.kill(sig);
  }

  private readLines(stream: NodeJS.ReadableStream | null): void {
    if (!stream) return;
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        this.handleLine(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    this.streamsEnded.push(
      new Promise<void>((resolve) => {
        stream.on('end', () => (pending && this.handleLine(pending), resolve()));
        stream.on('close', () => resolve());
      }),
    );
  }

  private handleLine(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw; // Windows programs end lines with \r\n
    this.tail.push(line);
    this.lineCount++;
    if (this.tail.length > this.maxTail) this.tail.shift();
    for (const fn of this.listeners) fn(line);
    this.waiters = this.waiters.filter((w) => {
      if (!w.re.test(line)) return true;
      w.resolve(line);
      return false;
    });
  }
}

// Asks a child to stop with `sig` (null: it was already asked some other way, e.g. stdin closed),
// escalates to SIGKILL after `graceMs`; resolves when it is gone.
export async function stopChild(child: Child, sig: NodeJS.Signals | null, graceMs: number): Promise<ChildResult & { escalated: boolean }> {
  if (child.done) return { ...child.done, escalated: false };
  if (sig) child.signal(sig);
  let timer: NodeJS.Timeout | undefined;
  const escalated = await Promise.race([
    child.exited.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        child.signal('SIGKILL');
        resolve(true);
      }, graceMs);
    }),
  ]);
  clearTimeout(timer);
  return { ...(await child.exited), escalated };
}
