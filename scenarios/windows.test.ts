// The reference engine built for Windows (mingw-w64), run under Wine against the virtual rig, through
// the real CLI: numchuck's gc-teardown passes, and fails under its bug switches with the seed's
// code in the diagnosis (read in full by hilt's launcher inside Wine: Linux sees only its low
// byte). After every run no Wine process is left and nothing of Wine's is left in /tmp.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { pollUntil } from '../harness/wait.ts';
import { WINE_PREFIX } from '../harness/target/wine.ts';
import { ROOT } from '../harness/target/config.ts';
import { check, runCli } from './run-cli.ts';

const GC = join(ROOT, 'fixtures/targets/win-engine-gc.json');

// Live (not zombie) processes of hilt's Wine prefix: the programs, wineserver, winedevice.
function wineProcesses(): string[] {
  const found: string[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${p}/stat`, 'latin1'))) continue;
      if (readFileSync(`/proc/${p}/environ`, 'latin1').includes(`WINEPREFIX=${WINE_PREFIX}\0`)) {
        found.push(`${p} ${readFileSync(`/proc/${p}/comm`, 'latin1').trim()}`);
      }
    } catch {
      /* gone */
    }
  }
  return found;
}

async function expectNothingOfWineLeft(): Promise<void> {
  const gone = await pollUntil(() => wineProcesses().length === 0, { deadlineMs: 3000, intervalMs: 50 });
  expect(gone.ok, `still running: ${wineProcesses().join(', ')}`).toBe(true);
  expect(readdirSync('/tmp').filter((n) => /^wine-[A-Za-z0-9]{6}$/.test(n))).toEqual([]);
}

describe('gc-teardown against the Windows engine under Wine', () => {
  test('passes: every engine stopped, its render thread joined, its COM objects released, then freed', async () => {
    const r = await runCli(['gc-teardown', '--target', GC]);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    const s = r.summary!;
    expect(s.target).toBe('hilt-engine-win');
    expect(check(s, 'clean-exit')?.measured).toBe('exit 0');
    expect(check(s, 'stopped-before-freed')?.message).toMatch(/^20 engines: stop requested, threads joined, tap destroyed, then freed/);
    expect(check(s, 'threads-at-baseline')?.verdict).toBe('pass');
    expect(check(s, 'no-orphans')?.verdict).toBe('pass');
    await expectNothingOfWineLeft();
  });

  test("--bug free-while-running: the seed's access violation, with its code, named as a free while the render thread ran", async () => {
    const r = await runCli(['gc-teardown', '--target', GC, '--bug', 'free-while-running']);
    expect(r.exitCode).toBe(1);
    const s = r.summary!;
    expect(check(s, 'clean-exit')?.measured).toBe('STATUS_ACCESS_VIOLATION (0xC0000005)');
    expect(s.diagnosis).toMatch(
      /^engine#1(, engine#\d+)* freed while (its render thread was|their render threads were) still running, then the process crashed \(access violation \(0xC0000005, exit code 3221225477\)\): the finalizer frees the engine without stopping and joining its threads first \(free-while-running\)$/,
    );
    await expectNothingOfWineLeft();
  });

  test('--bug no-shutdown: the audio client released under a running render thread, the same access violation', async () => {
    const r = await runCli(['gc-teardown', '--target', GC, '--bug', 'no-shutdown']);
    expect(r.exitCode).toBe(1);
    expect(r.summary!.diagnosis).toMatch(
      /released (its|their) audio client while .*render thread.* still running, then the process crashed \(access violation \(0xC0000005, exit code 3221225477\)\): the finalizer releases the engine without stopping it first \(no-shutdown\)/,
    );
    await expectNothingOfWineLeft();
  });
});
