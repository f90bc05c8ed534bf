// Core dumps as evidence. A target run with a core folder (LaunchOptions.coreDir) leaves its
// core there when it dies of a signal; the platform's debugger (gdb on Linux) turns it into every
// thread's stack, kept as text (what people read) while the core itself is deleted (it is large).
// Where the OS reports crashes by itself (macOS: Platform.crashReport), its report stands in for a core.
// A core no debugger here can read (Windows without cdb) is kept, with what hilt reads of it itself.
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { execa } from 'execa';
import { dirname, join } from 'node:path';
import { which } from '../proc/which.ts';
import { crashLine, readMinidumpCrash } from './minidump.ts';
import { platform as current, type CrashReport, type Platform } from '../platform/index.ts';
import { pollUntil } from '../wait.ts';
import type { Stacks } from './gdb-stacks.ts';
import { parseStacks } from './stack-parsers.ts';
import { commandLine } from './command-line.ts';

// A core no debugger here can read is kept for people to open elsewhere, up to this size.
const KEEP_MAX_BYTES = 64 << 20;

export interface CoreEvidence {
  file?: string; // the core's name, when one was written (macOS: the crash report's path)
  kept?: string; // where it was kept: no debugger here could read it
  text: string; // the debugger's output, or why there is none
  how?: string; // how the file was read and what became of it: "read with gdb, then deleted"
  stacks?: Stacks;
}

export async function makeCoreDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

// The crashed pid and its launch, for an OS that reports crashes itself; waitMs: ReportCrash takes seconds.
export interface Crashed {
  pid: number;
  sinceMs: number; // ms since 1970: its launch
  waitMs?: number; // default 10 s
}

// Reads the core in `dir` (if any) against `exe`, or else the OS's crash report of `crashed`, then removes the folder.
export async function readCore(dir: string, exe: string, crashed?: Crashed, platform: Platform = current): Promise<CoreEvidence> {
  try {
    const cores = (await readdir(dir)).filter((f) => platform.isCoreFile(f));
    if (!cores.length && platform.crashReport && crashed) return await readCrashReport(platform, crashed);
    if (!cores.length) return { text: `no core written (core_pattern: ${await platform.corePattern()})` };
    const dbg = platform.coreDebugger();
    if (!which(dbg.tool)) return await unread(join(dir, cores[0]!), dbg.tool, dbg.install);
    const args = dbg.args(exe, join(dir, cores[0]!));
    const run = await execa(dbg.tool, args, { reject: false, timeout: 60_000 });
    const text = `${commandLine(dbg.tool, dbg.args(exe, cores[0]!))}\n\n${run.stdout}\n${run.stderr}`;
    return { file: cores[0], text, how: `read with ${dbg.tool}, then deleted`, stacks: parseStacks(dbg.parser, run.stdout) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// The crash report is the evidence: its summary for people, its threads parsed; the report stays (the OS's, not hilt's).
async function readCrashReport(platform: Platform, crashed: Crashed): Promise<CoreEvidence> {
  let failure: unknown;
  const ask = platform.crashReport!.bind(platform);
  const found = await pollUntil(
    async (): Promise<CrashReport | undefined> => {
      try {
        return await ask(crashed.pid, crashed.sinceMs);
      } catch (e) {
        failure = e; // a report it cannot read: said if no readable one comes
        return undefined;
      }
    },
    { deadlineMs: crashed.waitMs ?? 10_000, intervalMs: 250 },
  );
  const r = found.value;
  if (!r) {
    const waited = `${Math.round(found.waitedMs / 1000)} s`;
    if (failure) return { text: `no readable crash report for pid ${crashed.pid} after ${waited}: ${(failure as Error).message}` };
    const since = new Date(crashed.sinceMs).toISOString();
    const where = `~/Library/Logs/DiagnosticReports or /Library/Logs/DiagnosticReports (corefile: ${await platform.corePattern()})`;
    return { text: `no crash report for pid ${crashed.pid} since ${since} after ${waited} in ${where}; a kill by SIGKILL leaves none` };
  }
  const how = 'the crash report the OS wrote, read and kept';
  try {
    return { file: r.file, text: r.summary, how, stacks: parseStacks(r.parser, r.text) };
  } catch (e) {
    return { file: r.file, text: `${r.summary}\n\n(its threads unread: ${(e as Error).message})`, how };
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
