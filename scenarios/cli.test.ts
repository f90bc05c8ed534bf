// The CLI's contract on bad input and faults: usage errors exit 2 with the listing, a missing rig
// part or build is `unavailable` (77) with the fix, a target that never gets ready fails at its
// deadline with its output, and a SIGKILLed hilt leaves nothing running.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../harness/target/config.ts';
import { pollUntil } from '../harness/wait.ts';
import { check, cliArgs, newOutDir, runCli } from './run-cli.ts';

// Processes whose environment carries `marker` (every child of a run inherits the run's options).
function processesWith(marker: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (!readFileSync(`/proc/${p}/environ`, 'latin1').includes(marker)) continue;
      found.push({ pid: Number(p), cmd: readFileSync(`/proc/${p}/cmdline`, 'latin1').replace(/\0/g, ' ').trim() });
    } catch {
      /* gone */
    }
  }
  return found;
}

describe('usage errors exit 2 with the scenario listing', () => {
  test.each([
    [['no-such-scenario'], /unknown scenario "no-such-scenario"/],
    [['kill9', '--frobnicate'], /unknown flag --frobnicate/],
    [['kill9', '--bug', 'no-such-bug'], /unknown bug switch no-such-bug .*known: no-sweep/],
    [['kill9', '--repeat', '0'], /--repeat needs a whole number >= 1/],
    [[], /no scenario named/],
  ])('%j', async (args, message) => {
    const r = await runCli(args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/kill9 +SIGKILL an engine/);
    expect(r.summary).toBeUndefined();
  });

  test('--list prints the scenarios and exits 0', async () => {
    const r = await runCli(['--list']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^scenarios:\n {2}kill9 /);
  });
});

describe('unavailable is a verdict, not a pass', () => {
  test('rig tools missing: exit 77 naming what is missing and the apt command', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'hilt-test-path-'));
    symlinkSync('/bin/bash', join(bin, 'bash')); // the reaper needs bash, nothing else
    const r = await runCli(['kill9'], { env: { PATH: bin }, extendEnv: true });
    rmSync(bin, { recursive: true, force: true });
    expect(r.exitCode, r.stdout + r.stderr).toBe(77);
    expect(r.summary?.verdict).toBe('unavailable');
    expect(r.summary?.diagnosis).toMatch(/pipewire.*not installed/);
    expect(r.summary?.diagnosis).toMatch(/apt-get install -y pipewire-bin wireplumber pipewire-pulse pulseaudio-utils/);
    expect(r.stdout).toMatch(/verdict: {3}unavailable/);
  });

  test('engine not built: exit 77 with the build command', async () => {
    const r = await runCli(['kill9', '--target', 'fixtures/targets/not-built.json']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(77);
    expect(r.summary?.diagnosis).toMatch(/is not built/);
    expect(r.summary?.diagnosis).toMatch(/build it with: pnpm build:native/);
  });
});

describe('faults in the target and in hilt', () => {
  test('target never ready: fails at its deadline with its output tail, nothing left running', async () => {
    const r = await runCli(['kill9', '--target', 'fixtures/targets/never-ready.json']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const failed = check(r.summary, 'scenario completed');
    expect(failed?.verdict).toBe('fail');
    expect(failed?.message).toMatch(/target never-ready did not become ready/);
    expect(failed?.message).toMatch(/within 700 ms/);
    expect(failed?.message).toMatch(/warming up the DSP/);
    expect(failed?.message).toMatch(/still loading plugins/);
    expect(processesWith(r.out)).toEqual([]);
  });

  test('hilt SIGKILLed mid-scenario: nothing of the run is left 2 s later, and the next run starts clean', async () => {
    const out = newOutDir('killed');
    const cli = execa(process.execPath, cliArgs(['kill9', '--out', out]), { cwd: ROOT, reject: false });
    // Mid-scenario: the engine of this run is up (its environment carries our out dir).
    const engineUp = await pollUntil(() => processesWith(out).find((p) => p.cmd.includes('hilt-engine --output')), { deadlineMs: 60_000, intervalMs: 20 });
    expect(engineUp.ok).toBe(true);
    const rigDir = /XDG_RUNTIME_DIR=([^\0]+)/.exec(readFileSync(`/proc/${engineUp.value!.pid}/environ`, 'latin1'))?.[1];
    expect(rigDir).toMatch(/hilt-rig-/);
    cli.kill('SIGKILL');
    await cli;
    const clean = await pollUntil(() => processesWith(out).length === 0, { deadlineMs: 2000, intervalMs: 20 });
    expect(clean.ok, `still running 2 s after the SIGKILL: ${JSON.stringify(processesWith(out))}`).toBe(true);
    expect(existsSync(rigDir!.replace(/\/run$/, ''))).toBe(false);

    const next = await runCli(['kill9']);
    expect(next.summary?.verdict, next.stdout + next.stderr).toBe('pass');
  });
});
