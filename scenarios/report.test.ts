// `pnpm report` end to end: two real kill9 runs (a pass, and a fail under the bug switches), the real
// report CLI over both, then the report opened from the file system in Debian's chromium with every
// request counted: nothing may leave the report folder, the timeline picture shows, the failed
// checks' messages are on the page, the WAV plays; the Allure view too opens offline and shows the failure.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Summary } from '../harness/report/summary.ts';
import { ROOT } from '../harness/target/config.ts';
import { hiltArgs, newOutDir, runCli, type CliRun } from './run-cli.ts';

const CHROMIUM = '/usr/bin/chromium';

const report = (args: string[]) =>
  execa(process.execPath, hiltArgs('report', args), {
    cwd: ROOT,
    reject: false,
    timeout: 170_000,
  });

// Every request a page makes, and those that leave the report folder (data: and blob: stay inside).
function countRequests(ctx: BrowserContext, folder: string) {
  const inside = pathToFileURL(folder).href + '/';
  const all: string[] = [];
  ctx.on('request', (r) => void all.push(r.url()));
  return { all, outside: () => all.filter((u) => !u.startsWith(inside) && !/^(data|blob):/.test(u)) };
}

const homes: string[] = [];
afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium is not installed (${CHROMIUM} missing): apt-get install chromium (npm run setup installs it)`);
  }
  // Chromium writes under HOME (dconf, crash reports): a home of its own, removed with the test's folder.
  const home = mkdtempSync(join(tmpdir(), 'hilt-chromium-home-'));
  homes.push(home);
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache') };
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-breakpad', '--disable-crash-reporter'],
    env: env as Record<string, string>,
  });
}

const flat = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('pnpm report', () => {
  let base: string;
  let pass: CliRun;
  let fail: CliRun;

  beforeAll(async () => {
    base = newOutDir('report');
    pass = await runCli(['kill9', '--out', join(base, 'pass')]);
    fail = await runCli(['kill9', '--bug', 'no-guardian,no-sweep', '--out', join(base, 'fail')]);
  });
  afterAll(() => {
    if (base) rmSync(base, { recursive: true, force: true });
  });

  test('a folder that does not exist, or holds no results, is exit 2 saying what was expected and seen', async () => {
    const missing = await report(['--out', join(base, 'r0'), join(base, 'nope')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(
      /no results in .*nope\n\s+expected: .*allure-results.*\n\s+seen: +the folder does not exist\n\s+to fix: /,
    );
    mkdirSync(join(base, 'empty', 'allure-results'), { recursive: true });
    const empty = await report(['--out', join(base, 'r0'), join(base, 'empty')]);
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toMatch(/seen: +allure-results\/ holds no \*-result\.json/);
    expect((await report(['--bogus'])).stderr).toMatch(/unknown flag --bogus/);
    expect(existsSync(join(base, 'r0', 'index.html'))).toBe(false);
  });

  test('one report from a pass and a fail opens offline: timeline picture, failed checks, the WAV plays', async () => {
    // The plain run is expected to pass, but the report is judged whatever it says (a busy machine can
    // fail it); the bug switches must fail it, so there are failed checks to find on the page.
    expect(pass.summary?.verdict, pass.stdout + pass.stderr).toMatch(/^(pass|fail)$/);
    expect(fail.summary?.verdict, fail.stdout + fail.stderr).toBe('fail');
    const failed = (fail.summary as Summary).checks.filter((c) => c.verdict === 'fail');
    expect(failed.length).toBeGreaterThan(0);

    const out = join(base, 'report');
    const built = await report(['--out', out, pass.out, fail.out]);
    expect(built.exitCode, built.stderr).toBe(0);
    const index = join(out, 'index.html');
    expect(built.stdout.trim()).toBe(index);
    expect(built.stderr).toMatch(/2 run\(s\) from 2 folder\(s\)/);
    expect(readdirSync(out).sort()).toEqual(['.hilt-report', 'allure', 'files', 'index.html']);

    const browser = await launch();
    try {
      const ctx = await browser.newContext({ serviceWorkers: 'block' });
      await ctx.route(/^(https?|wss?|ftp):/, (r) => r.abort()); // counted below all the same
      const requests = countRequests(ctx, out);
      const page = await ctx.newPage();
      await page.goto(pathToFileURL(index).href, { waitUntil: 'load' });

      const images = await page.$$eval('img', (imgs) =>
        (imgs as HTMLImageElement[]).map((i) => ({ src: i.getAttribute('src'), w: i.naturalWidth, box: i.getBoundingClientRect().width })),
      );
      const timelines = images.filter((i) => i.src?.endsWith('timeline.svg'));
      expect(timelines.length, JSON.stringify(images)).toBe(2);
      for (const t of timelines) expect(t.w > 0 || t.box > 0, JSON.stringify(t)).toBe(true);

      const text = flat(await page.locator('body').innerText());
      for (const c of failed) expect(text, `check ${c.id}`).toContain(flat(c.message));

      const audio = await page.$$eval('audio', (els) =>
        Promise.all(
          (els as HTMLAudioElement[]).map(
            (a) =>
              new Promise<{ src: string | null; readyState: number; duration: number; error?: number }>((done) => {
                const answer = () =>
                  done({ src: a.getAttribute('src'), readyState: a.readyState, duration: a.duration, error: a.error?.code });
                a.addEventListener('loadedmetadata', answer, { once: true });
                a.addEventListener('error', answer, { once: true });
                a.load();
              }),
          ),
        ),
      );
      expect(audio.length, JSON.stringify(audio)).toBe(2);
      for (const a of audio) {
        expect(a.src, JSON.stringify(a)).toMatch(/\.wav$/);
        expect(a.readyState, JSON.stringify(a)).toBeGreaterThan(0);
        expect(a.duration, JSON.stringify(a)).toBeGreaterThan(0);
      }
      expect(requests.all.some((u) => u.endsWith('.wav'))).toBe(true);
      expect(requests.outside()).toEqual([]);

      // The Allure view: a user opens it, clicks a failed test, reads why it failed (both runs are
      // named kill9: when the plain run failed too, the user tries the next one).
      const allureMessage = allureResultMessage(fail.out);
      const shown = failed.filter((c) => allureMessage.includes(c.message));
      expect(shown.length, allureMessage).toBeGreaterThan(0);
      const allure = await ctx.newPage();
      const allureUrl = pathToFileURL(join(out, 'allure', 'index.html')).href;
      const failedLeaves = () =>
        allure
          .locator('[data-testid="tree-leaf"]')
          .filter({ has: allure.locator('[data-testid="tree-leaf-status-broken"], [data-testid="tree-leaf-status-failed"]') });
      const errors: string[] = [];
      for (let i = 0; ; i++) {
        await allure.goto(allureUrl, { waitUntil: 'load' });
        await failedLeaves().first().waitFor({ timeout: 90_000 });
        const leaves = await failedLeaves().count();
        expect(i, `no failed test in the Allure view shows "${shown[0]!.message}": ${errors.join(' | ')}`).toBeLessThan(leaves);
        await failedLeaves().nth(i).click();
        const error = allure.locator('[data-testid="test-result-error-message"]').first();
        await error.waitFor({ timeout: 30_000 });
        errors.push(flat(await error.innerText()));
        if (errors.at(-1)!.includes(flat(shown[0]!.message))) break;
      }
      expect(requests.outside()).toEqual([]);
      await ctx.close();
    } finally {
      await browser.close();
    }
  });
});

// The failing run's Allure message (its statusDetails), as the Allure view shows it.
function allureResultMessage(folder: string): string {
  const dir = join(folder, 'allure-results');
  const file = readdirSync(dir).find((f) => f.endsWith('-result.json'))!;
  const r = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { statusDetails?: { message?: string } };
  return r.statusDetails?.message ?? '';
}
