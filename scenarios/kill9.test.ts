// kill9 through the real CLI on the real rig: the guardian cleans up at the death with no
// relaunch; without it the next launch's sweep does, with a longer silence; without both the
// victim stays muted and the scenario fails, naming both missing layers.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { check, checks, runCli } from './run-cli.ts';

describe('kill9', () => {
  test('passes: the guardian destroys the taps at the death, tone back with no relaunch', async () => {
    const r = await runCli(['kill9']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    expect(r.exitCode).toBe(0);
    const s = r.summary!;
    expect(s.scenario).toBe('kill9');
    expect(s.runs).toBe(1);
    expect(s.facts.cleaned_by).toBe('guardian');
    expect(s.facts.path).toBe('guardian, no relaunch');
    // No silence_ms when the dropout was shorter than the 10 ms the capture tells apart (seen often:
    // the guardian's destroy and the server's re-route take a few ms).
    expect(s.metrics.silence_ms ?? 0).toBeLessThan(1000);
    expect(check(s, 'exit')?.measured).toBe('SIGKILL');
    expect(check(s, 'exit')?.verdict).toBe('pass');
    expect(check(s, 'resumed')?.verdict).toBe('pass');
    expect(check(s, 'no-orphans')?.verdict).toBe('pass');
    expect(check(s, 'resumed-after-relaunch')).toBeUndefined();
    expect(s.metrics.audio_resume_ms).toBeGreaterThanOrEqual(0);
    expect(s.metrics.audio_resume_ms).toBeLessThanOrEqual(1000);
    expect(s.metrics.guardian_ms).toBeGreaterThan(0);
    for (const e of s.evidence) expect(existsSync(join(r.out, e.path)), e.path).toBe(true);
    expect(s.evidence.map((e) => e.kind)).toEqual(expect.arrayContaining(['wav', 'svg', 'log']));
    expect(readdirSync(join(r.out, 'allure-results')).some((f) => f.endsWith('-result.json'))).toBe(true);
    expect(r.stdout).toMatch(/hilt kill9: PASS/);
  });

  test('--bug no-guardian falls back to the relaunch sweep and shows the longer silence', async () => {
    const r = await runCli(['kill9', '--bug', 'no-guardian']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    const s = r.summary!;
    expect(s.facts.cleaned_by).toBe('relaunch-sweep');
    expect(s.facts.path).toBe('no guardian cleanup; relaunch sweep');
    expect(check(s, 'resumed-after-relaunch')?.verdict).toBe('pass');
    // The silence spans the whole wait for a guardian that never comes, plus the relaunch.
    expect(s.metrics.audio_resume_ms).toBeGreaterThan(1000);
  });

  test('--bug no-guardian,no-sweep fails: the victim stays muted, both layers named', async () => {
    const r = await runCli(['kill9', '--bug', 'no-guardian,no-sweep']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const s = r.summary!;
    expect(s.bugs).toEqual(['no-guardian', 'no-sweep']);
    expect(check(s, 'no-orphans')?.verdict).toBe('fail');
    expect(check(s, 'resumed-after-relaunch')?.verdict).toBe('fail');
    expect(s.diagnosis).toMatch(/orphan taps of the SIGKILLed engine \(pid \d+, dead\) survived the relaunch/);
    expect(s.diagnosis).toMatch(/no-guardian/);
    expect(s.diagnosis).toMatch(/no-sweep/);
  });

  // How far the SIGKILL reaches: the engine's process group, or its whole cgroup.
  test('--set scope=group: the guardian, in a session of its own, survives the group kill and cleans at once', async () => {
    const r = await runCli(['kill9', '--set', 'scope=group']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    expect(check(r.summary, 'cleaned-by')).toMatchObject({ verdict: 'pass', measured: 'guardian' });
    expect(r.summary!.facts.path).toBe('guardian, no relaunch');
  });

  test('--set scope=group --bug guardian-in-group: the group kill takes the guardian too; named, and the sweep cleans later', async () => {
    const r = await runCli(['kill9', '--set', 'scope=group', '--bug', 'guardian-in-group']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(check(r.summary, 'cleaned-by')).toMatchObject({ verdict: 'fail', measured: 'relaunch-sweep', limit: 'guardian' });
    expect(r.summary!.diagnosis).toMatch(
      /the guardian died with the engine: the SIGKILL to the engine's process group .*\(guardian-in-group\)/,
    );
  });

  test('--set scope=tree: nothing of the engine survives, the next launch sweeps, and the report shows the longer silence', async () => {
    const r = await runCli(['kill9', '--set', 'scope=tree']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    expect(check(r.summary, 'cleaned-by')).toMatchObject({ verdict: 'pass', measured: 'relaunch-sweep' });
    expect(r.summary!.facts.path).toBe('no guardian cleanup; relaunch sweep');
    expect(r.summary!.metrics.audio_resume_ms).toBeGreaterThan(1000);
  });

  // The guardian dies first (OOM killer, killall): the engine must notice at once and start a new one.
  test('--set first=guardian: the engine replaces its SIGKILLed guardian at once; the new one cleans after the SIGKILL', async () => {
    const r = await runCli(['kill9', '--set', 'first=guardian']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    const s = r.summary!;
    expect(check(s, 'guardian-death-noticed')?.verdict).toBe('pass');
    expect(s.metrics.guardian_noticed_ms).toBeLessThan(1000);
    expect(check(s, 'guardian-replaced')).toMatchObject({ verdict: 'pass', measured: 1, limit: 1 });
    expect(check(s, 'cleaned-by')).toMatchObject({ verdict: 'pass', measured: 'guardian' });
    expect(check(s, 'resumed')?.verdict).toBe('pass');
    expect(check(s, 'no-orphans')?.verdict).toBe('pass');
    expect(s.facts.path).toBe('guardian, no relaunch');
    const log = readFileSync(join(r.out, s.evidence.find((e) => e.path.endsWith('engine.log'))!.path), 'utf8');
    expect(log).toMatch(/guardian: pid \d+ died \(signal SIGKILL\); started pid \d+, tracking 1 object\(s\) in [\d.]+ ms/);
  });

  test('--set first=guardian --bug ignore-guardian-death fails: the engine never noticed, the taps waited for the sweep', async () => {
    const r = await runCli(['kill9', '--set', 'first=guardian', '--bug', 'ignore-guardian-death']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const s = r.summary!;
    expect(check(s, 'guardian-death-noticed')?.verdict).toBe('fail');
    expect(check(s, 'guardian-replaced')?.verdict).toBe('fail');
    expect(check(s, 'cleaned-by')).toMatchObject({ verdict: 'fail', limit: 'guardian' });
    expect(s.metrics.guardian_noticed_ms).toBeUndefined();
    expect(s.diagnosis).toMatch(/^the guardian was killed first and the engine never noticed: .*\(ignore-guardian-death\)/);
  });

  test('--repeat 2 shares one rig and counts runs', async () => {
    const r = await runCli(['kill9', '--repeat', '2', '--seed', '7']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    expect(r.summary?.runs).toBe(2);
    expect(r.summary?.seed).toBe(7);
    expect(checks(r.summary, 'no-orphans').length).toBe(2);
  });
});
