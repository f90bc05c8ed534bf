// Reads lldb's "thread backtrace all" output (a live attach or a core, macOS or Linux) into the
// same threads and frames gdb-stacks gives, so a hang on macOS can be diagnosed like one on Linux.
import type { Frame, Stacks, ThreadStack } from './gdb-stacks.ts';

const THREAD_HEAD = /^(\*)?\s*thread #(\d+)(?:[:,](.*))?$/;
const FRAME = /^\s*(?:\*\s+)?frame #\d+: 0x[0-9a-f]+(?: (.*))?$/;

// Positions in s of characters outside any <...> or (...), so template and argument text is skipped.
function topLevel(s: string, want: (c: string, i: number) => boolean): number[] {
  const at: number[] = [];
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (depth === 0 && want(c, i)) at.push(i);
    if (c === '<' || c === '(') depth++;
    else if ((c === '>' || c === ')') && depth > 0) depth--;
  }
  return at;
}

// Drop a leading return type lldb keeps for templates ("void std::f<int>" -> "std::f<int>"), but not "operator bool".
function withoutReturnType(name: string): string {
  const spaces = topLevel(name, (c, i) => c === ' ' && !name.slice(0, i).endsWith('operator'));
  return spaces.length ? name.slice(spaces[spaces.length - 1]! + 1) : name;
}

// lldb's symbol to gdb's spelling: no argument values, offset, source location or markers;
// a demangled signature "join()" stays when there is no debug info, as gdb shows it.
function fnOf(sym: string): string {
  let s = sym.replace(/(?: \[(?:opt|inlined|artificial)\])+$/, '');
  const inlined = s.lastIndexOf(' [inlined] '); // older lldb: "caller() [inlined] callee(x=1)"
  if (inlined >= 0) s = s.slice(inlined + ' [inlined] '.length);
  const debug = / at \S+:\d+(?::\d+)?$/.test(s);
  s = s.replace(/ at \S+:\d+(?::\d+)?$/, '').replace(/ \+ \d+$/, '');
  if (/^___lldb_unnamed_symbol\d*$/.test(s)) return '??';
  // lldb writes argument values into the name, sometimes mid-template (lldb 14), so cut at the first "(name=".
  const values = s.search(/\((?:[\w$]+|\(null\))=/);
  const paren = topLevel(s, (c) => c === '(')[0] ?? s.length;
  const cut = values >= 0 ? values : paren;
  const name = withoutReturnType(s.slice(0, cut).trimEnd());
  // With debug info the parentheses hold argument values (gdb drops them); without, the demangled signature (gdb keeps it).
  if (values < 0 && !debug) return name + s.slice(cut);
  return name === 'operator' || name.endsWith('::operator') ? `${name}()` : name; // "operator(this=..)()" is operator()
}

function frameOf(rest: string | undefined): Frame {
  const tick = rest?.indexOf('`') ?? -1;
  if (!rest || tick < 0) return { fn: '??' };
  return { fn: fnOf(rest.slice(tick + 1)), from: rest.slice(0, tick) };
}

export function parseLldbStacks(text: string): Stacks {
  // The attach or core-load summary lists each thread's top frame first; the full backtrace that follows replaces it.
  const byId = new Map<number, ThreadStack>();
  let cur: ThreadStack | undefined;
  let current: number | undefined;
  let signal: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const head = THREAD_HEAD.exec(line);
    if (head) {
      const id = Number(head[2]);
      const rest = head[3] ?? '';
      const name = / name = '([^']*)'/.exec(rest)?.[1];
      const tid = / tid = (0x[0-9a-f]+|\d+)/.exec(rest)?.[1];
      cur = { id, ...(tid ? { lwp: Number(tid) } : {}), ...(name ? { name } : {}), frames: [] };
      byId.set(id, cur);
      if (head[1]) current = id;
      const why = / stop reason = (?:signal (SIG\w+)|(EXC_\w+))/.exec(rest);
      const sig = why?.[1] ?? why?.[2];
      if (sig && sig !== 'SIGSTOP' && (!signal || head[1])) signal = sig;
      continue;
    }
    const frame = cur && FRAME.exec(line);
    if (cur && frame) cur.frames.push(frameOf(frame[1]));
    else if (!/^\s/.test(line)) cur = undefined; // "(lldb) ..." or "Process N detached" ends a thread
  }
  const threads = [...byId.values()].sort((a, b) => a.id - b.id);
  return { threads, ...(current !== undefined ? { current } : {}), ...(signal ? { signal } : {}) };
}
