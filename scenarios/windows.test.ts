// The reference engine built for Windows (mingw-w64), run under Wine against the virtual rig, through
// the real CLI: numchuck's gc-teardown passes, and fails under its bug switches with the seed's
// code in the diagnosis (read in full by hilt's launcher inside Wine: Linux sees only its low
// byte); crash on the main and render threads is classified by NTSTATUS; kill9 leaves nothing.
// After every run no Wine process of its prefix is left, nor that prefix's socket dir in /tmp.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { pollUntil } from '../harness/wait.ts';
import { serverDirOf, WINE_PREFIX, wineProcessesOf } from '../harness/target/wine.ts';
import { ROOT } from '../harness/target/config.ts';
import { check, runCli } from './run-cli.ts';

const GC = join(ROOT, 'fixtures/targets/win-engine-gc.json');
const ENGINE = join(ROOT, 'fixtures/targets/win-engine.json');
// The exit numchuck's test process died with (seed 000), as hilt says it.
const SEED_000 = 'access violation (0xC0000005, exit code 3221225477)';

async function expectNothingOfWineLeft(): Promise<void> {
  const gone = await pollUntil(() => wineProcessesOf().length === 0, { deadlineMs: 3000, intervalMs: 50 });
  expect(gone.ok, `still running: ${wineProcessesOf().join(', ')}`).toBe(true);
  // Only this prefix's socket dir: other prefixes (Windows's Node's, other checkouts') are not this run's.
  const dir = serverDirOf(readFileSync(join(WINE_PREFIX, 'wineserver'), 'utf8'));
  expect(dir !== undefined && existsSync(dir), `${dir} left in /tmp`).toBe(false);
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
    expect(check(s, 'back-to-baseline')?.verdict).toBe('pass');
    await expectNothingOfWineLeft();
  });

  test("--bug free-while-running: the seed's access violation, with its code, named as a free while the render thread ran", async () => {
    const r = await runCli(['gc-teardown', '--target', GC, '--bug', 'free-while-running']);
    expect(r.exitCode).toBe(1);
    const s = r.summary!;
    expect(check(s, 'clean-exit')?.measured).toBe('STATUS_ACCESS_VIOLATION (0xC0000005)');
    expect(s.diagnosis).toMatch(/^engine#1(, engine#\d+)* freed while (its render thread was|their render threads were) still running, /);
    expect(s.diagnosis).toContain(`then the process crashed (${SEED_000}): `);
    expect(s.diagnosis).toMatch(/the finalizer frees the engine without stopping and joining its threads first \(free-while-running\)$/);
    await expectNothingOfWineLeft();
  });

  test('--bug no-shutdown: the audio client released under a running render thread, the same access violation', async () => {
    const r = await runCli(['gc-teardown', '--target', GC, '--bug', 'no-shutdown']);
    expect(r.exitCode).toBe(1);
    expect(r.summary!.diagnosis).toMatch(/released (its|their) audio client while .*render thread.* still running, /);
    expect(r.summary!.diagnosis).toContain(
      `then the process crashed (${SEED_000}): the finalizer releases the engine without stopping it first`,
    );
    await expectNothingOfWineLeft();
  });
});

describe('crash and kill9 against the Windows engine under Wine', () => {
  test.each([
    ['main', 'av', 'STATUS_ACCESS_VIOLATION (0xC0000005)'],
    ['audio', 'breakpoint', 'STATUS_BREAKPOINT (0x80000003)'],
    ['audio', 'stack-overflow', 'STATUS_STACK_OVERFLOW (0xC00000FD)'],
  ])('crash on the %s thread (%s): classified by its NTSTATUS, its stream gone, the victim audible', async (thread, fault, name) => {
    const r = await runCli(['crash', '--target', ENGINE, '--set', `thread=${thread}`, '--set', `win_fault=${fault}`]);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    const s = r.summary!;
    expect(check(s, 'exit')?.measured).toBe(name);
    expect(check(s, 'no-orphans')?.verdict).toBe('pass');
    expect(check(s, 'victim-heard-after')?.verdict).toBe('pass');
    await expectNothingOfWineLeft();
  });

  test('crash --bug crash-handler-hangs: the crash handler joins the crashing render thread; the hang is caught and said', async () => {
    const r = await runCli(['crash', '--target', ENGINE, '--set', 'thread=audio', '--bug', 'crash-handler-hangs']);
    expect(r.exitCode).toBe(1);
    const s = r.summary!;
    expect(check(s, 'exit')?.verdict).toBe('fail');
    expect(s.diagnosis).toMatch(/after av on the render thread: .*a clean end is 0xC0000005/);
    expect(s.diagnosis).toMatch(/hung: nothing after \d+ ms/);
    await expectNothingOfWineLeft();
  });

  test('kill9: the launcher SIGKILLed, its job ends the engine; its stream gone, nothing left', async () => {
    const r = await runCli(['kill9', '--target', ENGINE]);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    expect(check(r.summary, 'no-escaped-process')?.verdict).toBe('pass');
    await expectNothingOfWineLeft();
  });

  test('kill9 --bug helper-outlives: the helper that broke away from the job is found, with its stream, and removed', async () => {
    const r = await runCli(['kill9', '--target', ENGINE, '--bug', 'helper-outlives']);
    expect(r.exitCode).toBe(1);
    const s = r.summary!;
    // Only the helper: Wine's own services are not the program's.
    expect(check(s, 'no-escaped-process')?.message).toMatch(
      new RegExp(
        '^still running after hilt-engine-win \\(pid \\d+\\) ended: ' +
          'hilt-engine-win\\[\\d+\\] `[^`]*hilt-engine-win\\.exe --helper[^`]*` \\(found by its marker[^;]*; reparented to init\\)$',
      ),
    );
    expect(check(s, 'no-orphans')?.message).toMatch(
      /orphan: pulse stream hilt-engine-win\.exe .*owner pid \d+ alive, a child of the target/,
    );
    await expectNothingOfWineLeft();
  });
});

describe("a Windows program nobody here wrote: Wine's own cmd.exe, as a black box", () => {
  test('exit: its exit code 3 (the one its config lists) read by the launcher; nothing left', async () => {
    const r = await runCli(['exit', '--target', join(ROOT, 'fixtures/targets/win-cmd.json')]);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    expect(check(r.summary, 'exit')?.verdict).toBe('pass');
    expect(check(r.summary, 'exit')?.measured).toBe('exit 3'); // a plain exit(3), not abort(): it said nothing of aborting
    await expectNothingOfWineLeft();
  });
});
