// The results the gate reads: every summary.json, at any depth, in folders, .zip and .tar.gz archives
// (one per runner, its artifact folders as they come). Archives are read in memory (fflate for zip,
// zlib and our tar reader for .tar.gz): nothing is unpacked on disk. Anything the gate cannot read or
// trust is an error (exit 2) naming the file and what to do, never a skipped result.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { z } from 'zod';
import { HiltError } from '../errors.ts';
import { SUMMARY_SCHEMA_VERSION, type Summary } from '../report/summary.ts';
import { configProblems } from '../config-schema.ts';
import { readTar } from './tar.ts';

// What the gate reads of one summary.json.
export interface GateResult {
  file: string; // where it was: a path, or "<archive>:<path inside>"
  source: string; // the folder or archive it came from
  hiltVersion: string;
  os: string;
  rig: string;
  scenario: string;
  target: string;
  bugs: string[];
  verdict: Summary['verdict'];
  diagnosis: string;
  died?: string; // a crash's facts.died: how the program died of the signal ("silent", or "silent | exited-with-code" over repetitions)
  runs: number;
  failures: number;
  identity: string; // the run itself (where, when, which seed): the same run found twice is counted once
}

export interface ResultSet {
  sources: { path: string; kind: 'folder' | 'zip' | 'tar.gz' | 'file'; results: number }[];
  results: GateResult[];
  duplicates: { file: string; sameAs: string }[]; // the same run met again (a folder given twice, a folder and its zip)
}

const SUMMARY = 'summary.json';
const isSummary = (name: string) => name === SUMMARY || name.endsWith(`/${SUMMARY}`);
const count = z.int({ error: 'expected a whole number >= 0' }).min(0, { error: 'expected a whole number >= 0' });
const word = z.string({ error: 'expected a non-empty string' }).min(1, { error: 'expected a non-empty string' });

// The fields the gate relies on (harness/report/summary.ts Summary); the rest is not its business.
const summarySchema = z
  .looseObject({
    schemaVersion: z.literal(SUMMARY_SCHEMA_VERSION),
    hiltVersion: word,
    platform: z.looseObject({ os: word }, { error: 'expected an object {os, kernel, arch, cpus}' }),
    scenario: word,
    target: z.string({ error: 'expected a string' }),
    rig: word,
    bugs: z.array(z.string({ error: 'expected a string' }), { error: 'expected an array of bug switch names' }),
    verdict: z.enum(['pass', 'flaky', 'fail', 'unavailable'], { error: 'expected "pass", "flaky", "fail" or "unavailable"' }),
    diagnosis: z.string({ error: 'expected a string' }),
    runs: count,
    failures: count,
    failureRate: z.looseObject({ failed: count, runs: count }, { error: 'expected an object {failed, runs, upperBound95}' }),
    seed: z.unknown(),
    startedAt: z.unknown(),
    durationMs: z.unknown(),
    facts: z.record(z.string(), z.string(), { error: 'expected an object of strings' }).optional(),
  })
  .check((ctx) => {
    const s = ctx.value;
    if (s.failures > s.runs)
      ctx.issues.push({ code: 'custom', input: s, path: ['failures'], message: `expected at most runs (${s.runs})` });
    if (s.failureRate.failed !== s.failures || s.failureRate.runs !== s.runs) {
      ctx.issues.push({
        code: 'custom',
        input: s,
        path: ['failureRate'],
        message: `expected the same counts as failures and runs (${s.failures} of ${s.runs})`,
      });
    }
  });

// One summary.json's text to a result, or the problems that make it unusable.
export function parseSummary(text: string, file: string, source: string): GateResult | string[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return [`${file}: not valid JSON (${(e as Error).message}): the file is cut or corrupt; take it again from the runner`];
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return [`${file}: expected a JSON object`];
  const version = (json as { schemaVersion?: unknown }).schemaVersion;
  if (version !== SUMMARY_SCHEMA_VERSION) {
    return [
      `${file}: written by ${version === undefined ? 'an older hilt (no schemaVersion)' : `schemaVersion ${JSON.stringify(version)}`}, ` +
        `the gate reads schemaVersion ${SUMMARY_SCHEMA_VERSION}: rerun the scenario with this hilt`,
    ];
  }
  const parsed = summarySchema.safeParse(json);
  if (!parsed.success) return configProblems(parsed.error.issues, json).map((p) => `${file}: ${p}`);
  const s = parsed.data;
  return {
    file,
    source,
    hiltVersion: s.hiltVersion,
    os: s.platform.os,
    rig: s.rig,
    scenario: s.scenario,
    target: s.target,
    bugs: s.bugs,
    verdict: s.verdict,
    diagnosis: s.diagnosis,
    ...(s.facts?.died && { died: s.facts.died }),
    runs: s.runs,
    failures: s.failures,
    identity: JSON.stringify([
      s.scenario,
      s.target,
      s.rig,
      s.platform,
      [...s.bugs].sort(),
      s.seed,
      s.startedAt,
      s.durationMs,
      s.runs,
      s.failures,
    ]),
  };
}

// Every summary.json under a folder, at any depth (symbolic links are not followed).
function summariesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return summariesIn(p);
    return e.isFile() && e.name === SUMMARY ? [p] : [];
  });
}

const unreadable = (path: string, what: string, hint: string): never => {
  throw new HiltError('GATE_INPUT', `results ${path}: ${what}`, { hint });
};
const RETAKE = "take the archive again from the runner's artifacts (a download cut short leaves such a file)";

type Entry = { file: string; text: string };

function entriesOf(path: string): { kind: ResultSet['sources'][number]['kind']; entries: Entry[] } {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    return unreadable(
      path,
      `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      "give a results folder (a run's --out, or a runner's artifacts), a .zip or .tar.gz of one, or a summary.json",
    );
  }
  if (st.isDirectory()) {
    return { kind: 'folder', entries: summariesIn(path).map((f) => ({ file: f, text: readFileSync(f, 'utf8') })) };
  }
  const dec = new TextDecoder();
  if (/\.zip$/i.test(path)) {
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(readFileSync(path), { filter: (f) => isSummary(f.name) });
    } catch (e) {
      return unreadable(path, `is not a readable zip archive (${(e as Error).message})`, RETAKE);
    }
    return { kind: 'zip', entries: Object.entries(files).map(([name, data]) => ({ file: `${path}:${name}`, text: dec.decode(data) })) };
  }
  if (/\.(tar\.gz|tgz)$/i.test(path)) {
    let files;
    try {
      files = readTar(gunzipSync(readFileSync(path)), isSummary);
    } catch (e) {
      return unreadable(path, `is not a readable .tar.gz archive (${(e as Error).message})`, RETAKE);
    }
    return { kind: 'tar.gz', entries: files.map((f) => ({ file: `${path}:${f.name}`, text: dec.decode(f.data) })) };
  }
  if (path.endsWith('.json')) return { kind: 'file', entries: [{ file: path, text: readFileSync(path, 'utf8') }] };
  return unreadable(path, 'is neither a folder, a .zip, a .tar.gz nor a .json file', 'give results folders or archives of them');
}

// Reads every source; any source without a result, or any result the gate cannot use, is an error
// that lists every such file at once. The same run met twice counts once, so N is never inflated.
export function readResults(paths: readonly string[]): ResultSet {
  const set: ResultSet = { sources: [], results: [], duplicates: [] };
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const path of paths) {
    const { kind, entries } = entriesOf(path);
    if (entries.length === 0) {
      problems.push(`${path}: no ${SUMMARY} in it (a runner whose runs never wrote results, or the wrong folder)`);
    }
    let n = 0;
    for (const e of entries) {
      const r = parseSummary(e.text, e.file, path);
      if (Array.isArray(r)) problems.push(...r);
      else if (seen.has(r.identity)) set.duplicates.push({ file: r.file, sameAs: seen.get(r.identity)! });
      else {
        seen.set(r.identity, r.file);
        set.results.push(r);
        n++;
      }
    }
    set.sources.push({ path, kind, results: n });
  }
  if (problems.length) {
    const shown = problems.slice(0, 20);
    if (problems.length > shown.length) shown.push(`... and ${problems.length - shown.length} more`);
    throw new HiltError('GATE_INPUT', `results the gate cannot use (${problems.length}):\n${shown.map((p) => `  - ${p}`).join('\n')}`, {
      hint:
        `the gate reads summary.json files with schemaVersion ${SUMMARY_SCHEMA_VERSION}, written by \`pnpm scenario\`; ` +
        'rerun the scenarios named above with this hilt, or take their results again from the runner',
    });
  }
  return set;
}
