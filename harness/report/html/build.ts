// `pnpm report`: one HTML report from the results of many scenario runs. <out>/index.html is hilt's
// own page (every run, its failed checks, the timeline picture, the audio to play, the evidence);
// <out>/allure/index.html is the same results in Allure 3's awesome report. Everything either page
// shows is a file inside <out>: it opens from the file system with no network.
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve, sep } from 'node:path';
import { HiltError } from '../../errors.ts';
import { buildAllure } from './allure.ts';
import { remoteReferences } from './offline.ts';
import { readRuns, type FoundAttachment, type ReportedRun } from './collect.ts';
import { renderPage, verdictOf, type PageAttachment, type PageRun } from './page.ts';

export interface ReportOptions {
  folders: string[]; // results folders (checked by requireResultsFolders)
  out: string;
  allure?: boolean; // also build the Allure view (default true)
  title?: string;
}

export interface ReportBuilt {
  index: string; // absolute path of index.html
  allureIndex?: string;
  runs: number;
  folders: number;
  files: number; // evidence files copied
  ms: number;
  allureMs?: number;
}

// The file that marks a folder as a report this builder wrote (and may therefore replace).
export const MARKER = '.hilt-report';
export const INLINE_TEXT_MAX = 64 * 1024;

const EXT_OF_TYPE: Record<string, string> = {
  'audio/wav': '.wav',
  'audio/x-wav': '.wav',
  'image/svg+xml': '.svg',
  'image/png': '.png',
  'text/plain': '.txt',
  'application/json': '.json',
  'text/html': '.html',
};

// A file name for an attachment inside the report: its own name made safe, unique within the run,
// with the extension its type implies when it has none, or when it is a picture or a sound (a
// browser picks how to show a file:// by its extension).
export function fileNameFor(name: string, type: string | undefined, taken: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.]+/, '') || 'attachment';
  const want = EXT_OF_TYPE[(type ?? '').split(';')[0]!.trim().toLowerCase()];
  const media = /^(audio|image)\//i.test(type ?? '');
  if (want && extname(base).toLowerCase() !== want && (media || !extname(base))) base += want;
  let candidate = base;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = base.replace(/(\.[^.]*)?$/, `-${n}$1`);
  taken.add(candidate.toLowerCase());
  return candidate;
}

const isText = (type: string) => type.startsWith('text/') || type === 'application/json' || type.endsWith('+json');

const shown = (p: string) => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};

// Refuses an output folder that holds something else (it is emptied before each build), or one the
// results live in.
function prepareOut(out: string, folders: string[]): void {
  for (const f of folders) {
    if (f === out || f.startsWith(out + sep) || out.startsWith(join(f, 'allure-results') + sep)) {
      throw new HiltError('USAGE', `--out ${out} would overwrite the results it reports`, {
        expected: 'an output folder outside every results folder',
        seen: `results folder ${f}`,
        hint: 'leave --out at its default (reports/out/report) or name a new folder',
      });
    }
  }
  if (existsSync(out)) {
    if (!statSync(out).isDirectory() || (readdirSync(out).length > 0 && !existsSync(join(out, MARKER)))) {
      throw new HiltError('USAGE', `--out ${out} is not empty and is not a report this command wrote`, {
        expected: `a new or empty folder, or a previous report (it holds ${MARKER})`,
        seen: statSync(out).isDirectory() ? `it holds: ${readdirSync(out).slice(0, 6).join(', ')}` : 'a file',
        hint: 'name a new folder with --out; the report folder is replaced on every build',
      });
    }
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, MARKER), 'written by `pnpm report`; replaced on every build\n');
}

function copyAttachments(run: ReportedRun, out: string, dir: string): PageAttachment[] {
  const taken = new Set<string>();
  return run.attachments
    .filter((a: FoundAttachment) => existsSync(a.file))
    .map((a) => {
      const name = fileNameFor(a.name || a.source, a.type, taken);
      const rel = `${dir}/${name}`;
      mkdirSync(join(out, dir), { recursive: true });
      copyFileSync(a.file, join(out, rel));
      const bytes = statSync(a.file).size;
      const type = a.type ?? 'application/octet-stream';
      const text = isText(type) && bytes <= INLINE_TEXT_MAX ? readFileSync(a.file, 'utf8') : undefined;
      return { name: a.name || a.source, type, href: rel, bytes, text, stepPath: a.stepPath };
    });
}

function pageRun(run: ReportedRun, i: number, out: string): PageRun {
  const r = run.result;
  const title = run.summary?.scenario ?? r.name ?? 'unnamed';
  const slug = title.replace(/[^A-Za-z0-9_-]+/g, '-');
  return {
    anchor: `run-${i + 1}-${slug}`,
    title,
    verdict: verdictOf(run.summary?.verdict, r.status),
    folder: shown(run.folder),
    message: r.statusDetails?.message,
    trace: r.statusDetails?.trace,
    parameters: r.parameters ?? [],
    steps: r.steps ?? [],
    summary: run.summary,
    attachments: copyAttachments(run, out, `files/${i + 1}-${slug}`),
    start: r.start,
    durationMs: run.summary?.durationMs ?? (r.start !== undefined && r.stop !== undefined ? r.stop - r.start : undefined),
  };
}

export async function buildReport(opts: ReportOptions): Promise<ReportBuilt> {
  const t0 = performance.now();
  const out = resolve(opts.out);
  const folders = opts.folders.map((f) => resolve(f));
  const title = opts.title ?? 'hilt report';
  const runs = folders.flatMap(readRuns);
  prepareOut(out, folders);
  const pageRuns = runs.map((r, i) => pageRun(r, i, out));
  let allureMs: number | undefined;
  let allureIndex: string | undefined;
  if (opts.allure !== false) {
    // Allure's CLI takes result folders as glob patterns: hand it copies under plain names.
    const work = mkdtempSync(join(tmpdir(), 'hilt-report-'));
    try {
      const dirs = [...new Set(runs.map((r) => r.resultsDir))].map((d, i) => {
        const copy = join(work, `results-${i + 1}`);
        cpSync(d, copy, { recursive: true });
        return copy;
      });
      allureMs = (await buildAllure(dirs, join(out, 'allure'), work, title)).ms;
      allureIndex = join(out, 'allure', 'index.html');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const html = renderPage({
    title,
    generatedAt: new Date(),
    folders: folders.length,
    runs: pageRuns,
    allureHref: allureIndex ? 'allure/index.html' : undefined,
  });
  const remote = remoteReferences(html);
  if (remote.length) {
    throw new HiltError('INTERNAL', 'the report page would load files from outside its folder', {
      expected: 'every picture and sound a file inside the report folder',
      seen: remote.slice(0, 5).join(', '),
      hint: 'a bug in harness/report/html/page.ts: report it with the results folders used',
    });
  }
  const index = join(out, 'index.html');
  writeFileSync(index, html);
  return {
    index,
    allureIndex,
    runs: pageRuns.length,
    folders: folders.length,
    files: pageRuns.reduce((n, r) => n + r.attachments.length, 0),
    ms: performance.now() - t0,
    allureMs,
  };
}
