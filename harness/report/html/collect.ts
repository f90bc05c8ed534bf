// What the HTML report is built from: the allure-results of many results folders. Each test result
// (one scenario run) is read with its steps and attachments; its summary.json comes from the
// attachment of that name (every scenario attaches it), so a folder holding several scenarios'
// results needs no guessing about which summary belongs to which result.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { HiltError } from '../../errors.ts';

export interface AllureAttachment {
  name: string;
  source: string; // a file name inside the allure-results folder
  type?: string;
}

export interface AllureStep {
  name?: string;
  status?: string;
  statusDetails?: { message?: string; trace?: string };
  start?: number;
  stop?: number;
  steps?: AllureStep[];
  attachments?: AllureAttachment[];
}

export interface AllureResult extends AllureStep {
  uuid?: string;
  fullName?: string;
  description?: string;
  parameters?: { name: string; value: string }[];
  labels?: { name: string; value: string }[];
}

// An attachment found anywhere in a result's step tree, with the steps that lead to it.
export interface FoundAttachment extends AllureAttachment {
  file: string; // absolute path
  stepPath: string[];
}

// The subset of summary.json the report shows; read leniently, since results of older hilt
// versions (and of newer ones) are reported too.
export interface ReportedCheck {
  id: string;
  name?: string;
  verdict: string;
  measured?: unknown;
  limit?: unknown;
  unit?: string;
  message?: string;
  subject?: string;
}

export interface ReportedSummary {
  scenario?: string;
  target?: string;
  rig?: string;
  seed?: number;
  bugs?: string[];
  verdict?: string;
  diagnosis?: string;
  checks: ReportedCheck[];
  metrics: Record<string, number>;
  facts: Record<string, string>;
  runs?: number;
  failures?: number;
  startedAt?: string;
  durationMs?: number;
}

export interface ReportedRun {
  folder: string; // the results folder given (absolute)
  resultsDir: string; // its allure-results (absolute)
  resultFile: string; // the *-result.json
  result: AllureResult;
  summary?: ReportedSummary;
  attachments: FoundAttachment[];
}

export const RESULT_SUFFIX = '-result.json';

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const resultFiles = (dir: string) => (isDir(dir) ? readdirSync(dir).filter((f) => f.endsWith(RESULT_SUFFIX)) : []);

// The allure-results folder of a results folder: <folder>/allure-results, or the folder itself when
// it is an allure-results folder.
export function allureDirOf(folder: string): string | undefined {
  const inner = join(folder, 'allure-results');
  if (resultFiles(inner).length) return inner;
  if (resultFiles(folder).length) return folder;
  return undefined;
}

const noResults = (folder: string, seen: string): never => {
  throw new HiltError('USAGE', `no results in ${folder}`, {
    expected: 'a results folder written by `pnpm scenario ... --out <dir>`: <dir>/allure-results/*-result.json',
    seen,
    hint: 'name a folder a scenario run wrote (e.g. reports/out/kill9-<time>), or run one: pnpm scenario kill9 --out <dir>',
  });
};

// The folders given on the command line: each must exist and hold results (a usage error if not).
export function requireResultsFolders(folders: string[]): string[] {
  return folders.map((f) => {
    const abs = resolve(f);
    if (!existsSync(abs)) noResults(abs, 'the folder does not exist');
    if (!isDir(abs)) noResults(abs, 'a file, not a folder');
    if (!allureDirOf(abs)) {
      const inner = join(abs, 'allure-results');
      noResults(abs, isDir(inner) ? 'allure-results/ holds no *-result.json' : `no allure-results/ (it holds: ${listing(abs)})`);
    }
    return abs;
  });
}

const listing = (dir: string) => {
  const names = readdirSync(dir);
  return names.length ? names.slice(0, 8).join(', ') + (names.length > 8 ? ', ...' : '') : 'nothing';
};

// Every folder under `base` (to `depth` levels) whose allure-results holds results, oldest name
// first; `skip` (the report's own output) is never searched.
export function findResultsFolders(base: string, skip: string[] = [], depth = 3): string[] {
  const found: string[] = [];
  const skipped = new Set(skip.map((s) => resolve(s)));
  const walk = (dir: string, level: number) => {
    if (skipped.has(dir) || !isDir(dir)) return;
    if (resultFiles(join(dir, 'allure-results')).length) found.push(dir);
    if (level >= depth) return;
    for (const name of readdirSync(dir).sort()) {
      if (name === 'allure-results' || name.startsWith('.')) continue;
      const sub = join(dir, name);
      if (isDir(sub)) walk(sub, level + 1);
    }
  };
  walk(resolve(base), 0);
  return found;
}

export function attachmentsOf(step: AllureStep, dir: string, path: string[] = []): FoundAttachment[] {
  const own = (step.attachments ?? []).map((a) => ({ ...a, file: join(dir, basename(a.source)), stepPath: path }));
  const nested = (step.steps ?? []).flatMap((s) => attachmentsOf(s, dir, s.name ? [...path, s.name] : path));
  return [...own, ...nested];
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

// summary.json as the report needs it, whatever its schema version; undefined if it is not one.
export function readSummary(text: string): ReportedSummary | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const s = obj(raw);
  if (!Array.isArray(s.checks)) return undefined;
  const checks = s.checks.map(obj).map((c): ReportedCheck => ({
    id: str(c.id) ?? '?',
    name: str(c.name),
    verdict: str(c.verdict) ?? '?',
    measured: c.measured,
    limit: c.limit,
    unit: str(c.unit),
    message: str(c.message),
    subject: str(c.subject),
  }));
  const numbers = Object.fromEntries(Object.entries(obj(s.metrics)).filter(([, v]) => num(v) !== undefined)) as Record<string, number>;
  const words = Object.fromEntries(Object.entries(obj(s.facts)).map(([k, v]) => [k, String(v)]));
  return {
    scenario: str(s.scenario),
    target: str(s.target),
    rig: str(s.rig),
    seed: num(s.seed),
    bugs: Array.isArray(s.bugs) ? s.bugs.map(String) : undefined,
    verdict: str(s.verdict),
    diagnosis: str(s.diagnosis),
    checks,
    metrics: numbers,
    facts: words,
    runs: num(s.runs),
    failures: num(s.failures),
    startedAt: str(s.startedAt),
    durationMs: num(s.durationMs),
  };
}

// Every test result of one results folder (a corrupt result file is a usage error naming it).
export function readRuns(folder: string): ReportedRun[] {
  const dir = allureDirOf(folder) ?? noResults(folder, 'no *-result.json');
  return resultFiles(dir)
    .sort()
    .map((f) => {
      const resultFile = join(dir, f);
      let result: AllureResult;
      try {
        result = JSON.parse(readFileSync(resultFile, 'utf8')) as AllureResult;
      } catch (e) {
        throw new HiltError('USAGE', `unreadable result ${relative(process.cwd(), resultFile) || resultFile}`, {
          expected: 'an Allure result (JSON) as `pnpm scenario` writes it',
          seen: (e as Error).message,
          hint: 'the run may have been cut short; rerun the scenario or leave that folder out',
        });
      }
      const attachments = attachmentsOf(result, dir);
      // The result's own summary.json attachment; else (older runs) the folder's, if it is this scenario's.
      const attached = attachments.find((a) => a.name === 'summary.json' && existsSync(a.file))?.file;
      const beside = [join(folder, 'summary.json'), ...(result.name ? [join(folder, basename(result.name), 'summary.json')] : [])];
      const candidates = attached ? [attached] : beside.filter((b) => existsSync(b));
      const summary = candidates
        .map((c) => readSummary(readFileSync(c, 'utf8')))
        .find((s) => s && (attached || !s.scenario || s.scenario === result.name));
      return { folder, resultsDir: dir, resultFile, result, summary, attachments };
    });
}
