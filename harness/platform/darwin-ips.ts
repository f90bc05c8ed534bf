// macOS crash reports (.ips, macOS 12 and later): ReportCrash writes one to DiagnosticReports for
// every process that dies of a crash (no core, no limit to raise). Pure parser and picker, tested on
// composed samples in harness/platform/composed/; the finder's directory reads are its only I/O.
import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HiltError } from '../errors.ts';

export interface IpsFrame {
  image: string; // usedImages[imageIndex].name, "???" when the image has none
  symbol?: string;
  offset: number; // symbolLocation into the symbol, or imageOffset into the image without one
}

export interface IpsThread {
  index: number; // its position in threads[]: "Thread N" in Apple's text rendering
  id?: number; // the kernel's thread id
  name?: string;
  queue?: string;
  triggered: boolean;
  frames: IpsFrame[];
}

export interface IpsReport {
  procName: string;
  pid: number;
  captureMs?: number; // when the report was taken (captureTime), ms since 1970
  osVersion?: string;
  exceptionType: string; // "EXC_BAD_ACCESS"
  signal?: string; // "SIGSEGV"
  subtype?: string; // "KERN_INVALID_ADDRESS at 0x0000000000000000"
  termination?: string; // "Namespace SIGNAL, Code 11 Segmentation fault: 11"
  crashedThread: number; // faultingThread
  threads: IpsThread[];
}

function bad(what: string, seen: string, file?: string): HiltError {
  return new HiltError('TOOL_FAILED', `a macOS crash report hilt cannot read${file ? ` (${file})` : ''}: ${what}`, {
    expected: 'a .ips crash report (macOS 12+): a JSON header line with bug_type "309", then a JSON body',
    seen: seen.slice(0, 300),
    hint: 'open the report in Console.app; if its format changed, record it in harness/platform/composed/ and fix darwin-ips.ts',
  });
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function json(text: string, part: string, file?: string): Json {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw bad(`its ${part} is not JSON (${(e as Error).message})`, text, file);
  }
  const o = obj(v);
  if (!o) throw bad(`its ${part} is not a JSON object`, text, file);
  return o;
}

// The header: the first line. Says whether this is a crash (bug_type 309) and whose.
export function parseIpsHeader(text: string, file?: string): { bugType?: string; name?: string } {
  const h = json(text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : text.length), 'header line', file);
  return { bugType: str(h.bug_type), name: str(h.app_name) ?? str(h.name) };
}

// "2026-12-03 20:41:07.4218 +0000": four fraction digits and an offset, which Date does not read as is.
export function parseCaptureTime(s: string | undefined): number | undefined {
  const m = s && /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))? ([+-])(\d\d)(\d\d)$/.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}.${(m[3] ?? '0').padEnd(3, '0').slice(0, 3)}${m[4]}${m[5]}:${m[6]}`);
  return Number.isNaN(ms) ? undefined : ms;
}

export function parseIps(text: string, file?: string): IpsReport {
  const cut = text.indexOf('\n');
  if (cut < 0) throw bad('one line only: no body after the header', text, file);
  const header = parseIpsHeader(text, file);
  if (header.bugType !== '309') throw bad(`bug_type ${header.bugType ?? '(none)'} is not a crash (309)`, text.slice(0, cut), file);
  const body = json(text.slice(cut + 1), 'body', file);
  const exception = obj(body.exception);
  const pid = num(body.pid);
  const threadsIn = Array.isArray(body.threads) ? body.threads : undefined;
  if (!exception || !str(exception.type) || pid === undefined || !threadsIn) {
    throw bad('no exception.type, pid or threads in its body', text.slice(cut + 1, cut + 301), file);
  }
  const images = (Array.isArray(body.usedImages) ? body.usedImages : []).map((i) => str(obj(i)?.name));
  const frameOf = (f: unknown): IpsFrame => {
    const o = obj(f) ?? {};
    const idx = num(o.imageIndex);
    const symbol = str(o.symbol);
    const image = (idx !== undefined ? images[idx] : undefined) ?? '???';
    return {
      image,
      ...(symbol !== undefined && { symbol }),
      offset: (symbol !== undefined ? num(o.symbolLocation) : num(o.imageOffset)) ?? 0,
    };
  };
  const threads = threadsIn.map((t, index): IpsThread => {
    const o = obj(t) ?? {};
    return {
      index,
      ...(num(o.id) !== undefined && { id: num(o.id) }),
      ...(str(o.name) && { name: str(o.name) }),
      ...(str(o.queue) && { queue: str(o.queue) }),
      triggered: o.triggered === true,
      frames: (Array.isArray(o.frames) ? o.frames : []).map(frameOf),
    };
  });
  const termination = obj(body.termination);
  const os = obj(body.osVersion);
  return {
    procName: str(body.procName) ?? header.name ?? '?',
    pid,
    ...(parseCaptureTime(str(body.captureTime)) !== undefined && { captureMs: parseCaptureTime(str(body.captureTime)) }),
    ...(str(os?.train) && { osVersion: `${str(os?.train)}${str(os?.build) ? ` (${str(os?.build)})` : ''}` }),
    exceptionType: str(exception.type)!,
    ...(str(exception.signal) && { signal: str(exception.signal) }),
    ...(str(exception.subtype) && { subtype: str(exception.subtype) }),
    ...(termination && {
      termination: [
        str(termination.namespace) && `Namespace ${str(termination.namespace)}`,
        num(termination.code) !== undefined && `Code ${num(termination.code)}`,
        str(termination.indicator),
      ]
        .filter(Boolean)
        .join(', '),
    }),
    crashedThread:
      num(body.faultingThread) ??
      Math.max(
        0,
        threads.findIndex((t) => t.triggered),
      ),
    threads,
  };
}

// lldb's spelling of a frame: image`symbol + offset, or image + 0xoffset without a symbol.
export const frameLine = (f: IpsFrame): string =>
  f.symbol !== undefined ? `${f.image}\`${f.symbol} + ${f.offset}` : `${f.image} + 0x${f.offset.toString(16)}`;

// What a reader needs first: the exception, the signal, and the crashed thread's frames.
export function renderIps(r: IpsReport, file?: string): string {
  const t = r.threads[r.crashedThread];
  const title = t && [t.name && `"${t.name}"`, t.queue && `queue ${t.queue}`].filter(Boolean).join(', ');
  return [
    ...(file ? [`crash report ${file}`] : []),
    `${r.procName} [${r.pid}]${r.osVersion ? ` on ${r.osVersion}` : ''}`,
    `${r.exceptionType}${r.signal ? ` (${r.signal})` : ''}${r.subtype ? `: ${r.subtype}` : ''}`,
    ...(r.termination ? [`termination: ${r.termination}`] : []),
    `crashed thread ${r.crashedThread}${title ? ` (${title})` : ''}:`,
    ...(t?.frames ?? []).map((f, i) => `  ${String(i).padEnd(3)} ${frameLine(f)}`),
  ].join('\n');
}

export interface IpsCandidate {
  file: string;
  mtimeMs: number;
  text: string;
}

// The earliest report of pid taken since its launch (1 s slack): a later process given the same pid reports later.
export function pickCrashReport(
  candidates: IpsCandidate[],
  pid: number,
  sinceMs: number,
): (IpsCandidate & { report: IpsReport }) | undefined {
  const found: (IpsCandidate & { report: IpsReport; at: number })[] = [];
  for (const c of candidates) {
    if (parseIpsHeader(c.text, c.file).bugType !== '309') continue;
    const report = parseIps(c.text, c.file);
    const at = report.captureMs ?? c.mtimeMs;
    if (report.pid === pid && at >= sinceMs - 1000) found.push({ ...c, report, at });
  }
  return found.sort((a, b) => a.at - b.at)[0];
}

// The user's reports, then the system's (a target run as root reports there).
export const crashReportDirs = (home = homedir()): string[] => [
  join(home, 'Library/Logs/DiagnosticReports'),
  '/Library/Logs/DiagnosticReports',
];

// .ips files newer than sinceMs; a missing folder adds none; a half-written one (bad JSON) waits for the next look.
export async function crashReportCandidates(sinceMs: number, dirs = crashReportDirs()): Promise<IpsCandidate[]> {
  const out: IpsCandidate[] = [];
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.ips'))) {
      const file = join(dir, name);
      const st = await stat(file).catch(() => undefined);
      if (!st || st.mtimeMs < sinceMs - 1000) continue;
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      try {
        parseIpsHeader(text, file);
        json(text.slice(text.indexOf('\n') + 1), 'body', file);
      } catch {
        continue;
      }
      out.push({ file, mtimeMs: st.mtimeMs, text });
    }
  }
  return out;
}
