// The report's bench figure: building one report (hilt's page and the Allure view) from 100 results,
// copies of one real result (the newest under reports/out unless one is given), each its own test.
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HiltError } from '../../errors.ts';
import { ROOT } from '../../target/config.ts';
import { buildReport } from './build.ts';
import { allureDirOf, findResultsFolders, RESULT_SUFFIX } from './collect.ts';

export const BENCH_RESULTS = 100;

function newestResults(): string {
  const base = join(ROOT, 'reports', 'out');
  const found = findResultsFolders(base, [join(base, 'report')]);
  const newest = found.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!newest) {
    throw new HiltError('USAGE', 'no results to build the report bench from', {
      expected: 'a results folder under reports/out/ (allure-results/*-result.json)',
      seen: `nothing under ${base}`,
      hint: 'run a scenario first: pnpm scenario kill9',
    });
  }
  return newest;
}

// n copies of one allure-results folder, each result given its own uuid and history id.
export function copyResults(source: string, into: string, n: number): string[] {
  const dir = allureDirOf(source);
  if (!dir) {
    throw new HiltError('USAGE', `no results in ${source}`, {
      expected: 'allure-results/*-result.json',
      seen: 'none',
      hint: 'give a folder a scenario run wrote',
    });
  }
  return Array.from({ length: n }, (_, i) => {
    const folder = join(into, `run-${i + 1}`);
    const copy = join(folder, 'allure-results');
    mkdirSync(folder, { recursive: true });
    cpSync(dir, copy, { recursive: true });
    for (const f of readdirSync(copy).filter((name) => name.endsWith(RESULT_SUFFIX))) {
      const r = JSON.parse(readFileSync(join(copy, f), 'utf8')) as Record<string, unknown>;
      const uuid = randomUUID();
      rmSync(join(copy, f));
      const again = {
        ...r,
        uuid,
        historyId: `${String(r.historyId ?? '')}-${i + 1}`,
        testCaseId: `${String(r.testCaseId ?? '')}-${i + 1}`,
      };
      writeFileSync(join(copy, `${uuid}${RESULT_SUFFIX}`), JSON.stringify(again));
    }
    return folder;
  });
}

export async function reportBench(source?: string): Promise<{ ms: number; results: number }> {
  const work = mkdtempSync(join(tmpdir(), 'hilt-report-bench-'));
  try {
    const folders = copyResults(source ?? newestResults(), join(work, 'results'), BENCH_RESULTS);
    const built = await buildReport({ folders, out: join(work, 'report') });
    return { ms: Math.round(built.ms), results: built.runs };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
