// Core dumps as evidence. A target run with a core folder (LaunchOptions.coreDir) leaves its
// core there when it dies of a signal; gdb turns it into every thread's stack, which is kept as
// text (what people read) while the core itself is deleted (it is large).
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { execa } from 'execa';
import { join } from 'node:path';
import { parseGdbStacks, type Stacks } from './gdb-stacks.ts';

export interface CoreEvidence {
  file?: string; // the core's name, when one was written
  text: string; // gdb's output, or why there is none
  stacks?: Stacks;
}

export async function makeCoreDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

// Reads the core in `dir` (if any) against `exe`, then removes the folder.
export async function readCore(dir: string, exe: string): Promise<CoreEvidence> {
  try {
    const cores = (await readdir(dir)).filter((f) => f.startsWith('core'));
    if (!cores.length) {
      const pattern = await readFile('/proc/sys/kernel/core_pattern', 'utf8').catch(() => '?');
      return { text: `no core written (core_pattern: ${pattern.trim()})` };
    }
    const gdb = await execa('gdb', ['-batch', '-nx', '-ex', 'info threads', '-ex', 'thread apply all bt', exe, join(dir, cores[0]!)], { reject: false, timeout: 60_000 });
    const text = `gdb -batch -ex "info threads" -ex "thread apply all bt" ${exe} ${cores[0]}\n\n${gdb.stdout}\n${gdb.stderr}`;
    return { file: cores[0], text, stacks: parseGdbStacks(gdb.stdout) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
