// The CLI's contract on bad input and faults: usage errors exit 2 with the listing, a missing rig
// part or build is `unavailable` (77) with the fix, a target that never gets ready fails at its
// deadline with its output, and a SIGKILLed hilt leaves nothing running.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import type { Summary } from '../harness/report/summary.ts';
import { ROOT } from '../harness/target/config.ts';
import { pollUntil } from '../harness/wait.ts';
import { check, cliArgs, newOutDir, runCli } from './run-cli.ts';

// Processes whose environment carries `marker` (every child of a run inherits HILT_RUN=<its out dir>).
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

// Nothing of the run left: hilt's reaper, which sweeps after hilt has gone, is given 3 s to finish.
async function expectNothingLeft(marker: string): Promise<void> {
  const clean = await pollUntil(() => processesWith(marker).length === 0, { deadlineMs: 3000, intervalMs: 20 });
  expect(clean.ok, `still running 3 s after hilt ended: ${JSON.stringify(processesWith(marker))}`).toBe(true);
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
    expect(r.stdout).toMatch(/\n {2}crash {2,}a real crash.*\n {4,}--set signal=segv thread=main point=steady core=on/);
  });

  // Everything a user can get wrong is said before a rig starts: within a second or two, no summary.
  test.each([
    [
      ['kill9', '--set', 'cuont=5'],
      /--set cuont: kill9 has no parameter "cuont" \(its parameters: resume_ms, tap_ms, scope, first, notice_ms\)/,
    ],
    [['crash', '--set', 'signal=kill'], /--set signal=kill: expected one of segv, abrt, bus, trap, ill, fpe/],
    [['crash', '--set', 'core=maybe', '--set', 'tap_ms=-1'], /core=maybe: expected on or off\n.*tap_ms=-1: expected a whole number from 1/],
    [['kill9', '--seed', '-3'], /--seed needs a whole number from 0 to 4294967295, not "-3": a seed picks/],
    [['kill9', '--out', '/proc/x'], /--out \/proc\/x: hilt cannot write its results there \(ENOENT\)/],
    [['kill9', '--out', 'package.json'], /--out .*package.json: that is a file, and hilt writes a folder of results there/],
    [
      ['gc-teardown', '--target', 'fixtures/targets/kernel.json'],
      /gc-teardown cannot run target hilt-kernel .*lacks trait "gc-churn-program"/,
    ],
    [
      ['crash', '--target', 'fixtures/targets/win-engine.json', '--set', 'thread=worker'],
      /--set thread=worker \(for hilt-engine-win: main or audio\): the Windows engine crashes on its main or render thread/,
    ],
    [
      ['kill9', '--target', 'fixtures/targets/win-engine.json', '--set', 'scope=tree'],
      /--set scope=tree \(for hilt-engine-win: pid or group\): a Windows program under Wine gets no cgroup of its own/,
    ],
    [
      ['kill9', '--target', 'fixtures/targets/win-engine.json', '--set', 'first=guardian'],
      /--set first=guardian \(for hilt-engine-win: none\): .*the Windows engine has no guardian to kill first/,
    ],
    [
      ['kill9', '--target', 'fixtures/targets/examples/pw-play.json', '--set', 'first=guardian'],
      /--set first=guardian \(for pw-play: none\): a black box has no guardian hilt knows of/,
    ],
    [
      ['kill9', '--set', 'first=guardian', '--bug', 'no-guardian'],
      /--set first=guardian with --bug no-guardian: with no guardian there is none/,
    ],
    [
      ['multi-app', '--target', 'fixtures/targets/tk-midi-app.json'],
      /multi-app cannot run target .*lacks trait "reference-engine", trait "taps-victim"/,
    ],
  ])('%j exits 2 before anything starts', async (args, message) => {
    const t0 = Date.now();
    const r = await runCli(args);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.summary).toBeUndefined();
    expect(r.stderr).not.toMatch(/hilt: running/);
    console.log(`${args.join(' ')}: exit 2 after ${Date.now() - t0} ms`);
  });

  test('--help for one scenario prints its parameters, needs and bug switches', async () => {
    const r = await runCli(['threaded-init', '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^threaded-init: /);
    expect(r.stdout).toMatch(/guards: +rtmidi initialised from a Tkinter callback/);
    expect(r.stdout).toMatch(/must fail: +--bug gil-null; --bug init-on-callback-thread/);
    expect(r.stdout).toMatch(/\n {2}midi +rig +the MIDI server.*; one of rig, absent, silent/);
  });

  test('--version prints the version from package.json', async () => {
    const r = await runCli(['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe(`hilt ${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}`);
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
    const failed = check(r.summary, 'scenario-completed');
    expect(failed?.verdict).toBe('fail');
    expect(failed?.message).toMatch(/target never-ready did not become ready/);
    expect(failed?.message).toMatch(/within 700 ms/);
    expect(failed?.message).toMatch(/warming up the DSP/);
    expect(failed?.message).toMatch(/still loading plugins/);
    await expectNothingLeft(r.out);
  });

  // Ctrl+C (or a CI job's SIGTERM) in the middle of --repeat: the runs that finished are written.
  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s during --repeat 20 after 2 runs: exit %i, a summary of the finished runs, nothing left running', async (sig, code) => {
    const out = newOutDir('interrupted');
    const cli = execa(process.execPath, cliArgs(['kill9', '--repeat', '20', '--out', out]), { cwd: ROOT, reject: false });
    let stderr = '';
    cli.stderr!.on('data', (d: Buffer) => (stderr += String(d)));
    const twoDone = await pollUntil(() => /run 2\/20 pass/.test(stderr), { deadlineMs: 60_000, intervalMs: 20 });
    expect(twoDone.ok, stderr).toBe(true);
    cli.kill(sig);
    const r = await cli;
    expect(r.exitCode, stderr).toBe(code);
    expect(stderr).toMatch(new RegExp(`hilt: interrupted by ${sig}: \\d+ run\\(s\\) finished and written to `));
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
    expect(s.interrupted).toEqual({ signal: sig, finished: s.runs, planned: 20 });
    expect(s.runs).toBeGreaterThanOrEqual(2);
    expect(s.runs).toBeLessThan(20);
    expect(s.repetitions.map((x) => x.verdict)).toEqual(Array(s.runs).fill('pass'));
    expect(s.diagnosis).toMatch(new RegExp(`^interrupted by ${sig} after ${s.runs} of 20 run\\(s\\); of those: all checks passed`));
    expect(readFileSync(join(out, 'junit.xml'), 'utf8').match(/<testcase /g)).toHaveLength(s.runs);
    expect(readdirSync(join(out, 'allure-results')).some((f) => f.endsWith('-result.json'))).toBe(true);
    await expectNothingLeft(out);
  });

  test('hilt SIGKILLed mid-scenario: nothing of the run is left 2 s later, and the next run starts clean', async () => {
    const out = newOutDir('killed');
    const cli = execa(process.execPath, cliArgs(['kill9', '--out', out]), { cwd: ROOT, reject: false });
    // Mid-scenario: the engine of this run is up (its environment carries our out dir).
    const engineUp = await pollUntil(() => processesWith(out).find((p) => p.cmd.includes('hilt-engine --output')), {
      deadlineMs: 60_000,
      intervalMs: 20,
    });
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

  // A helper with no marker, in a session of its own: only hilt's cgroup holds it, and the reaper ends that.
  test('hilt SIGKILLed while a target runs a helper started by setsid env -i: the reaper ends the helper and the group', async () => {
    const example = join(ROOT, 'fixtures/targets/examples/setsid-env-i.json');
    const cli = execa(process.execPath, cliArgs(['kill9', '--target', example, '--out', newOutDir('killed-escape')]), {
      cwd: ROOT,
      reject: false,
    });
    // The helper (not its shell), of this run: other test files run setsid-env-i side by side.
    const ours = (pid: number) => readFileSync(`/proc/${pid}/cgroup`, 'latin1').includes(`/hilt-${cli.pid}/`);
    const playing = () =>
      processesRunning('sine 770').filter((p) => {
        try {
          return p.cmd.startsWith('play ') && ours(p.pid);
        } catch {
          return false;
        }
      });
    expect((await pollUntil(() => playing().length > 0 || undefined, { deadlineMs: 60_000, intervalMs: 20 })).ok).toBe(true);
    const group = readFileSync(`/proc/${playing()[0]!.pid}/cgroup`, 'latin1').match(/^0::(\/.*)$/m)?.[1];
    expect(group).toMatch(new RegExp(`/hilt-${cli.pid}/setsid-env-i-`));
    cli.kill('SIGKILL');
    await cli;
    const gone = await pollUntil(() => playing().length === 0, { deadlineMs: 3000, intervalMs: 20 });
    expect(gone.ok, `still running 3 s after hilt's SIGKILL: ${JSON.stringify(playing())}`).toBe(true);
    const root = readFileSync('/proc/self/mounts', 'utf8').match(/^\S+ (\S+) cgroup2 /m)?.[1];
    expect((await pollUntil(() => !existsSync(`${root}/hilt-${cli.pid}`), { deadlineMs: 3000, intervalMs: 20 })).ok).toBe(true);
  });
});

// Live processes whose command line holds this text.
function processesRunning(text: string): { pid: number; cmd: string }[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'latin1').replace(/\0/g, ' ').trim();
        return cmd.includes(text) ? [{ pid: Number(p), cmd }] : [];
      } catch {
        return [];
      }
    });
}
