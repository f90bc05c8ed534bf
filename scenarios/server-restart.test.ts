// server-restart through the real CLI: the audio server restarted under a running target,
// pipewire-pulse alone, then the whole stack. The reference engine reconnects and makes its taps
// again, once; under no-reconnect it stays alive and silent (the OBS bug), named in the diagnosis.
// Two programs nobody here wrote: pw-play resumes or exits as its config allows; FluidSynth stays
// alive without its stream. Refused on --rig system before anything starts.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CheckResult } from '../harness/check/check.ts';
import { ROOT } from '../harness/target/config.ts';
import { runCli, type CliRun } from './run-cli.ts';

const example = (name: string) => join(ROOT, 'fixtures/targets/examples', `${name}.json`);
const outcome = (r: CliRun, part: string): CheckResult | undefined =>
  r.summary?.checks.find((c) => c.id === 'outcome' && c.subject === part);

describe('server-restart', () => {
  test('the engine reconnects after each restart: its taps made again once, the victim heard through them', async () => {
    const r = await runCli(['server-restart']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    for (const part of ['pulse', 'stack']) {
      expect(outcome(r, part)?.message).toMatch(/^resumed by itself: the victim heard through its taps again \d+ ms after/);
    }
    expect(r.summary!.checks.filter((c) => c.id === 'no-duplicates').every((c) => c.verdict === 'pass')).toBe(true);
    expect(r.summary!.metrics.resume_ms_stack).toBeGreaterThan(0);
  });

  test('--bug no-reconnect fails: alive but silent after the pipewire-pulse restart, in its own words', async () => {
    const r = await runCli(['server-restart', '--set', 'restart=pulse', '--set', 'resume_ms=1500', '--bug', 'no-reconnect']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(outcome(r, 'pulse')).toMatchObject({ verdict: 'fail', measured: 'silent' });
    expect(r.summary!.diagnosis).toMatch(/^after the pipewire-pulse restart hilt-engine stayed alive but silent: its taps never came back/);
    expect(r.summary!.diagnosis).toMatch(/\(no-reconnect\)\. It said: server: connection lost \(.+\); not reconnecting/);
  });

  test('pw-play (pipewire-bin): resumes after pipewire-pulse, exits 1 with the stack, as its config allows', async () => {
    const r = await runCli(['server-restart', '--target', example('pw-play')]);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    expect(outcome(r, 'pulse')?.message).toMatch(/^resumed by itself: its sound back \d+ ms after the restart began$/);
    expect(outcome(r, 'stack')?.message).toBe('exited (exit 1) when the server went, as its config allows');
  });

  test('fluidsynth: alive but silent after pipewire-pulse restarts, its stream not back', async () => {
    const r = await runCli(['server-restart', '--set', 'restart=pulse', '--set', 'resume_ms=1500', '--target', example('fluidsynth')]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(outcome(r, 'pulse')?.message).toMatch(/^alive but silent: .*not back: .*FluidSynth/);
  });

  test('--rig system is refused before anything starts: it would restart the user’s own server', async () => {
    const r = await runCli(['server-restart', '--rig', 'system']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/server-restart does not run on --rig system \(only virtual\): it restarts the audio server/);
    expect(r.stderr).toMatch(/run it on the virtual rig/);
    expect(r.summary).toBeUndefined();
    const help = await runCli(['server-restart', '--help']);
    expect(help.stdout).toMatch(/\nrigs: +--rig virtual only: it restarts the audio server/);
  });
});
