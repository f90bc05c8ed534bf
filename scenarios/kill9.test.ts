// kill9 through the real CLI on the real rig: it passes on the fixed engine, and under the bug
// switch that removes the start-up sweep it fails with a diagnosis naming the orphan and the silence.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { check, runCli } from './run-cli.ts';

describe('kill9', () => {
  test('passes: orphan swept at relaunch, tone resumes, clean stop, inventory back to baseline', async () => {
    const r = await runCli(['kill9']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    expect(r.exitCode).toBe(0);
    const s = r.summary!;
    expect(s.scenario).toBe('kill9');
    expect(s.rig).toBe('virtual');
    expect(s.runs).toBe(1);
    expect(s.failures).toBe(0);
    // The fault must have bitten before the fix is credited.
    expect(check(s, 'tone absent after SIGKILL')?.verdict).toBe('pass');
    expect(check(s, 'orphan present after SIGKILL')?.verdict).toBe('pass');
    expect(check(s, 'orphan gone after relaunch')?.verdict).toBe('pass');
    expect(s.metrics.audio_resume_ms).toBeGreaterThan(0);
    expect(s.metrics.audio_resume_ms).toBeLessThanOrEqual(1000);
    expect(s.metrics.silence_ms).toBeGreaterThan(s.metrics.audio_resume_ms!);
    for (const e of s.evidence) expect(existsSync(join(r.out, e.path)), e.path).toBe(true);
    expect(s.evidence.map((e) => e.kind)).toEqual(expect.arrayContaining(['wav', 'svg', 'log']));
    expect(existsSync(join(r.out, 'junit.xml'))).toBe(true);
    expect(readdirSync(join(r.out, 'allure-results')).some((f) => f.endsWith('-result.json'))).toBe(true);
    expect(r.stdout).toMatch(/hilt kill9: PASS/);
  });

  test('--bug no-sweep fails, naming the orphan and the silence', async () => {
    const r = await runCli(['kill9', '--bug', 'no-sweep']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const s = r.summary!;
    expect(s.verdict).toBe('fail');
    expect(s.bugs).toEqual(['no-sweep']);
    expect(check(s, 'orphan gone after relaunch')?.verdict).toBe('fail');
    expect(check(s, 'tone resumed after relaunch')?.verdict).toBe('fail');
    expect(s.diagnosis).toMatch(/orphan tap hilt-engine-\d+/);
    expect(s.diagnosis).toMatch(/silent for (at least )?\d+ ms/);
    expect(s.diagnosis).toMatch(/did not sweep orphans/);
    expect(r.stdout).toMatch(/FAIL orphan gone after relaunch/);
  });

  test('--repeat 2 shares one rig and counts runs', async () => {
    const r = await runCli(['kill9', '--repeat', '2', '--seed', '7']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    expect(r.summary?.runs).toBe(2);
    expect(r.summary?.seed).toBe(7);
    expect(r.summary?.checks.filter((c) => c.name.startsWith('orphan gone after relaunch')).length).toBe(2);
  });
});
