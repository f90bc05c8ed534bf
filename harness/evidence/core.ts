// Core dumps as evidence. A target run with a core folder (LaunchOptions.coreDir) leaves its
// core there when it dies of a signal; the platform's debugger (gdb on Linux) turns it into every
// thread's stack, kept as text (what people read) while the core itself is deleted (it is large).
import { mkdir, readdir, rm } from 'node:fs/promises';
import { execa } from 'execa';
import { join } from 'node:path';
import { platform as current, type Platform } from '../platform/index.ts';
import type { Stacks } from './gdb-stacks.ts';
import { parseStacks } from './stack-parsers.ts';
import { commandLine } from './command-line.ts';

export interface CoreEvidence {
  file?: string; // the core's name, when one was written
  text: string; // the debugger's output, or why there is none
  stacks?: Stacks;
}

export async function makeCoreDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

// Reads the core in `dir` (if any) against `exe`, then removes the folder.
export async function readCore(dir: string, exe: string, platform: Platform = current): Promise<CoreEvidence> {
  try {
    const cores = (await readdir(dir)).filter((f) => platform.isCoreFile(f));
    if (!cores.length) return { text: `no core written (core_pattern: ${await platform.corePattern()})` };
    const dbg = platform.coreDebugger();
    const args = dbg.args(exe, join(dir, cores[0]!));
    const run = await execa(dbg.tool, args, { reject: false, timeout: 60_000 });
    const text = `${commandLine(dbg.tool, dbg.args(exe, cores[0]!))}\n\n${run.stdout}\n${run.stderr}`;
    return { file: cores[0], text, stacks: parseStacks(dbg.parser, run.stdout) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
