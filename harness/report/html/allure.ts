// The Allure 3 view of the same results (the awesome report), built by the `allure` package's own
// CLI. Only its single-file form opens from file:// (the folder form fetch()es its JSON, which a
// browser refuses on file://), and it always carries an analytics tag: removed here, and a page
// that would still load anything from outside is refused.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { HiltError } from '../../errors.ts';
import { remoteReferences, stripAnalytics } from './offline.ts';

export const ALLURE_DEADLINE_MS = 300_000;

// The CLI script of the installed `allure` package (its bin, cli.js, beside dist/).
export function allureCli(): string {
  const main = fileURLToPath(import.meta.resolve('allure'));
  return join(dirname(main), '..', 'cli.js');
}

export function allureConfig(name: string): string {
  return JSON.stringify({ name, plugins: { awesome: { options: { singleFile: true, reportName: name } } } }, null, 2) + '\n';
}

// Builds <out>/index.html from the given allure-results folders (plain names: the CLI reads globs).
// `work` is a scratch folder for the config.
export async function buildAllure(resultsDirs: string[], out: string, work: string, name: string): Promise<{ ms: number }> {
  const t0 = performance.now();
  const config = join(work, 'allurerc.json');
  writeFileSync(config, allureConfig(name));
  const args = [allureCli(), 'generate', '--config', config, '--output', out, ...resultsDirs];
  const r = await execa(process.execPath, args, { cwd: work, reject: false, timeout: ALLURE_DEADLINE_MS, all: true });
  if (r.exitCode !== 0) {
    throw new HiltError('TOOL_FAILED', 'allure generate failed', {
      expected: 'exit 0 and <out>/allure/index.html',
      seen:
        `${r.timedOut ? `no end within ${ALLURE_DEADLINE_MS} ms` : `exit ${r.exitCode ?? r.signal}`}: ` + String(r.all ?? '').slice(-600),
      hint: 'reinstall the node packages (pnpm install); or build without the Allure view: pnpm report --no-allure',
    });
  }
  const index = join(out, 'index.html');
  const { html, removed } = stripAnalytics(readFileSync(index, 'utf8'));
  const remote = remoteReferences(html);
  if (remote.length) {
    throw new HiltError('TOOL_FAILED', 'the Allure report would load files from outside its folder', {
      expected: 'a report that opens with no network (the analytics tag removed: ' + `${removed} script(s))`,
      seen: remote.slice(0, 5).join(', '),
      hint: 'a newer allure may write new remote tags: teach harness/report/html/offline.ts to remove them, or use --no-allure',
    });
  }
  writeFileSync(index, html);
  return { ms: performance.now() - t0 };
}
