// Core dumps as evidence. A target run with a core folder (LaunchOptions.coreDir) leaves its
// core there when it dies of a signal; the platform's debugger (gdb on Linux) turns it into every
// thread's stack, kept as text (what people read) while the core itself is deleted (it is large).
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { execa } from 'execa';
import { dirname, join } from 'node:path';
import { which } from '../proc/which.ts';
import { crashLine, readMinidumpCrash } from './minidump.ts';
import { platform as current, type Platform } from '../platform/index.ts';
import type { Stacks } from './gdb-stacks.ts';
import { parseStacks } from './stack-parsers.ts';
import { commandLine } from './command-line.ts';

// A core no debugger here can read is kept for people to open elsewhere, up to this size.
const KEEP_MAX_BYTES = 64 << 20;

export interface CoreEvidence {
  file?: string; // the core's name, when one was written
  kept?: string; // where it was kept: no debugger here could read it
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
    if (!which(dbg.tool)) return await unread(join(dir, cores[0]!), dbg.tool, dbg.install);
    const args = dbg.args(exe, join(dir, cores[0]!));
    const run = await execa(dbg.tool, args, { reject: false, timeout: 60_000 });
    const text = `${commandLine(dbg.tool, dbg.args(exe, cores[0]!))}\n\n${run.stdout}\n${run.stderr}`;
    return { file: cores[0], text, stacks: parseStacks(dbg.parser, run.stdout) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// No debugger: what hilt reads itself (a minidump's exception), and the core kept beside its folder.
async function unread(core: string, tool: string, install: string): Promise<CoreEvidence> {
  const file = core.slice(dirname(core).length + 1);
  const size = (await stat(core)).size;
  const kept = size <= KEEP_MAX_BYTES ? join(dirname(dirname(core)), file) : undefined;
  const crash = /\.dmp$/i.test(file) ? readMinidumpCrash(await readFile(core)) : undefined;
  if (kept) await rename(core, kept);
  const lines = [
    `${file} (${Math.round(size / 1024)} KB): not read, ${tool} is not installed (${install})`,
    ...(crash ? [`exception (read by hilt from the dump): ${crashLine(crash)}`] : []),
    kept ? `kept: ${kept}` : `not kept: larger than ${KEEP_MAX_BYTES >> 20} MB`,
  ];
  return { file, text: lines.join('\n'), ...(kept && { kept }) };
}
