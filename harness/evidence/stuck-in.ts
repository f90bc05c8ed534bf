// Which thread a hang holds inside a given call, and how it got there: "hilt-audio in
// jack_client_open (<- MidiOutJack::connect <- hilt::MidiStartup::request)". A thread's wait
// kind (futex, poll) says little; the library call it is stuck in says what to fix.
import type { Stacks } from './gdb-stacks.ts';

const short = (fn: string): string =>
  fn
    .replace(/\(.*$/, '')
    .replace(/^.*\bin /, '')
    .trim();

// The first thread whose stack passes through a frame matching `call`, with its direct caller
// and the nearest frames of the program itself (no "from <library>"): where to look in the code.
export function stuckIn(stacks: Stacks | undefined, call: RegExp, ownFrames = 2): string | undefined {
  const useful = (fn: string) => fn && fn !== '??' && !/^(std::|__|_start|start_thread|clone)/.test(fn);
  for (const t of stacks?.threads ?? []) {
    const at = t.frames.findIndex((f) => call.test(f.fn));
    if (at < 0) continue;
    const above = t.frames.slice(at + 1);
    const caller = above.map((f) => short(f.fn)).find(useful);
    const own = above
      .filter((f) => !f.from)
      .map((f) => short(f.fn))
      .filter(useful);
    const uniq = [...new Set([caller, ...own].filter((x): x is string => !!x))].slice(0, 1 + ownFrames);
    return `${t.name ?? `thread ${t.id}`} in ${short(t.frames[at]!.fn)}${uniq.length ? ` (<- ${uniq.join(' <- ')})` : ''}`;
  }
  return undefined;
}
