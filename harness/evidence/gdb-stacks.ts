// Reads gdb's "info threads" + "thread apply all bt" output (from a core or a live process)
// into threads and frames, so a diagnosis can name where a process died or hangs.

export interface Frame {
  fn: string; // "hilt::EngineRegistry::live()", "__GI___poll", "??"
  from?: string; // the library, when gdb names one ("libpulse.so.0")
}

export interface ThreadStack {
  id: number; // gdb's thread number
  lwp?: number;
  name?: string; // from "info threads" when gdb shows it ("hilt-vm")
  frames: Frame[];
}

export interface Stacks {
  threads: ThreadStack[];
  current?: number; // the thread that took the signal, in a core
  signal?: string; // "SIGSEGV" from "Program terminated with signal SIGSEGV"
}

// "Thread 2 (Thread 0x7f.. (LWP 26014) "python3"):", or "Thread 1 (LWP 20303):" where gdb had no
// thread_db (a static program, or one killed while the loader was still mapping libc).
const THREAD_HEAD = /^Thread (\d+) \((?:Thread 0x[0-9a-f]+ \(LWP (\d+)\)(?: "([^"]*)")?|LWP (\d+))\)/;
const FRAME = /^#\d+\s+(?:0x[0-9a-f]+ in )?(.+?)(?: \(.*\))?(?: at \S+| from (\S+))?$/;
const INFO_NAME = /^\*?\s*(\d+)\s+Thread 0x[0-9a-f]+ \(LWP \d+\) "([^"]*)"/;

// A frame's function without its argument list: "f(int, x) ()" -> "f(int, x)"; "poll (fds=..)" -> "poll".
function frameOf(line: string): Frame | undefined {
  const body = line.replace(/^#\d+\s+/, '').replace(/^0x[0-9a-f]+ in /, '');
  if (body === line && !FRAME.test(line)) return undefined;
  const from = / from (\S+)$/.exec(body)?.[1];
  let fn = body.replace(/ from \S+$/, '').replace(/ at \S+:\d+$/, '');
  fn = fn.replace(/ \((?:[a-z_]\w*=[^)]*|)\)$/, '').replace(/ \(\)$/, '');
  if (/ \(.*=.*\)$/.test(fn)) fn = fn.slice(0, fn.indexOf(' ('));
  return { fn: fn.trim(), ...(from ? { from: from.split('/').pop()! } : {}) };
}

export function parseGdbStacks(text: string): Stacks {
  const threads: ThreadStack[] = [];
  const names = new Map<number, string>();
  let cur: ThreadStack | undefined;
  let current: number | undefined;
  let signal: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const sig = /^Program terminated with signal (SIG\w+)/.exec(line);
    if (sig) signal = sig[1];
    const now = /^\[Current thread is (\d+)/.exec(line);
    if (now) current = Number(now[1]);
    const info = INFO_NAME.exec(line);
    if (info) names.set(Number(info[1]), info[2]!);
    const head = THREAD_HEAD.exec(line);
    if (head) {
      cur = { id: Number(head[1]), lwp: Number(head[2] ?? head[4]), frames: [], ...(head[3] ? { name: head[3] } : {}) };
      threads.push(cur);
      continue;
    }
    if (cur && /^#\d+\s/.test(line)) {
      const f = frameOf(line);
      if (f) cur.frames.push(f);
    } else if (cur && line === '') {
      cur = undefined;
    }
  }
  for (const t of threads) if (!t.name && names.has(t.id)) t.name = names.get(t.id);
  return { threads: threads.sort((a, b) => a.id - b.id), ...(current !== undefined ? { current } : {}), ...(signal ? { signal } : {}) };
}

// The first frames of a thread that are the program's own, not libc's signal or wait machinery.
export function ownFrames(t: ThreadStack, n = 3): string[] {
  const noise = /^(__|_dl_|raise$|abort$|start_thread$|clone3?$|\?\?$|std::thread::_State_impl|pthread_kill)/;
  return t.frames
    .map((f) => f.fn)
    .filter((fn) => !noise.test(fn))
    .slice(0, n);
}
