// Reads cdb's "~*k" output (every thread's stack of a Windows process or dump) into the same
// threads and frames gdb-stacks gives, so a hang on Windows can be diagnosed like one on Linux.
import type { Frame, Stacks, ThreadStack } from './gdb-stacks.ts';

// ".  0  Id: 1a2c.1b30 Suspend: 1 Teb: 000000a1`2b5c5000 Unfrozen "kernel-shell"": "." marks the current thread.
const THREAD_HEAD = /^([.#])?\s*(\d+)\s+Id: [0-9a-f]+\.([0-9a-f]+) Suspend: -?\d+ Teb: \S+ \w+(?: "(.*)")?$/;
// "03 000000a1`2b8ff6c8 00007ffb`1c8b1f3e     mod!sym+0x5c [file @ 120]"; inlined frames have no addresses.
const FRAME = /^[0-9a-f]{2,} (?:\(Inline Function\)|[0-9a-f`]+) [-0-9a-f`]+\s+(\S.*)$/;

// "hilt_kernel!hilt::KernelServer::stop+0x5c [C:\src\kernel_server.cpp @ 120]" -> stop, from hilt_kernel.
function frameOf(site: string): Frame {
  const s = site.replace(/ \[[^\]]* @ \d+\]$/, '').replace(/ \(TrapFrame @ [^)]*\)$/, '');
  const bang = s.indexOf('!');
  // No symbols: "mod+0x7e70" or a bare address "0x00007fff`ccf71500", which gdb would show as "??".
  if (bang < 0) return { fn: '??', ...(/^0x/.test(s) ? {} : { from: s.replace(/\+0x[0-9a-f]+$/, '') }) };
  return { fn: s.slice(bang + 1).replace(/\+0x[0-9a-f]+$/, ''), from: s.slice(0, bang) };
}

export function parseCdbStacks(text: string): Stacks {
  const threads: ThreadStack[] = [];
  let cur: ThreadStack | undefined;
  let current: number | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const head = THREAD_HEAD.exec(line);
    if (head) {
      cur = { id: Number(head[2]), lwp: parseInt(head[3]!, 16), frames: [], ...(head[4] ? { name: head[4] } : {}) };
      threads.push(cur);
      if (head[1] === '.') current = cur.id;
      continue;
    }
    const frame = cur && FRAME.exec(line);
    if (cur && frame) cur.frames.push(frameOf(frame[1]!));
    else if (cur && line === '') cur = undefined;
  }
  return { threads: threads.sort((a, b) => a.id - b.id), ...(current !== undefined ? { current } : {}) };
}
