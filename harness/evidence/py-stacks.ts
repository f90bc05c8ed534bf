// Python stacks of a live CPython process, as gdb's Python extensions print them (`py-bt`, from
// Debian's python3-dbg): which Python line each thread waits in, for a report about a hung script.

export interface PyFrame {
  file: string;
  line: number;
  func: string;
  code?: string; // the source line, when gdb could read it
}

export interface PyThread {
  id: string; // gdb's thread number
  name: string;
  frames: PyFrame[]; // innermost first
}

// `Thread N (Thread 0x... (LWP n) "name"):` then `Traceback (most recent call first):` and frames.
export function parsePyBt(text: string): PyThread[] {
  const threads: PyThread[] = [];
  let cur: PyThread | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const th = /^Thread (\d+) \(.*?(?:"([^"]*)")?\):\s*$/.exec(l);
    if (th) {
      cur = { id: th[1]!, name: th[2] ?? '', frames: [] };
      threads.push(cur);
      continue;
    }
    const fr = /^\s+File "([^"]+)", line (\d+), in (.+)$/.exec(l);
    if (fr && cur) {
      const next = lines[i + 1];
      const code = next !== undefined && /^\s{4,}\S/.test(next) && !/^\s+File "/.test(next) ? next.trim() : undefined;
      cur.frames.push({ file: fr[1]!, line: Number(fr[2]), func: fr[3]!, ...(code ? { code } : {}) });
    }
  }
  return threads.filter((t) => t.frames.length > 0);
}

// The program's own line a thread waits in: its innermost frame outside Python's own library.
const isStdlib = (f: PyFrame) => /\/python3(\.\d+)?\/(?!site-packages|dist-packages)/.test(f.file);

export function describePyWaits(threads: PyThread[]): string {
  return threads
    .map((t) => {
      const own = t.frames.find((f) => !isStdlib(f)) ?? t.frames[0]!;
      const inner = t.frames[0]!;
      const where = `${own.file.split('/').pop()}:${own.line} in ${own.func}${own.code ? ` (${own.code})` : ''}`;
      const via = inner === own ? '' : ` waiting in ${inner.func} (${inner.file.split('/').pop()}:${inner.line})`;
      return `thread ${t.id}${t.name ? ` "${t.name}"` : ''} at ${where}${via}`;
    })
    .join('; ');
}
