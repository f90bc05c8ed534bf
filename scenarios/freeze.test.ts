// freeze through the real CLI: the engine frozen by its cgroup while it taps a victim, then thawed.
// As it is: silent while frozen, back after the thaw, the same taps, still running. Under
// retap-on-thaw: a second tap beside the first, named in the diagnosis.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../harness/target/config.ts';
import { check, runCli } from './run-cli.ts';

describe('freeze', () => {
  test('passes: silent while frozen, heard again after the thaw, the same objects, still running', async () => {
    const r = await runCli(['freeze', '--set', 'ms=800']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    const s = r.summary!;
    expect(s.facts.freeze).toMatch(/^cgroup\.freeze for 800 ms$/);
    expect(check(s, 'silent-while-frozen')?.verdict).toBe('pass');
    expect(check(s, 'no-duplicates')?.message).toMatch(/^\d+ objects before and after$/);
    expect(check(s, 'alive-after-thaw')?.message).toMatch(/stall: the audio loop did not run for \d+ ms .*taps kept/);
    expect(s.metrics.silence_ms).toBeGreaterThan(500);
  });

  test('--bug retap-on-thaw fails: the taps made again beside the old ones are named', async () => {
    const r = await runCli(['freeze', '--set', 'ms=800', '--bug', 'retap-on-thaw']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(check(r.summary, 'no-duplicates')).toMatchObject({ verdict: 'fail' });
    expect(check(r.summary, 'no-duplicates')?.message).toMatch(/new: .*hilt-engine-\d+-thaw/);
    expect(r.summary!.diagnosis).toMatch(/made its taps again without removing the old ones \(retap-on-thaw\)/);
  });

  // A program nobody here wrote: SoX's play, frozen by its group for 800 ms, plays on after the thaw.
  test('a black box (sox-play): its own sound back after the thaw, the same objects, running; nothing left after its stop', async () => {
    const r = await runCli(['freeze', '--set', 'ms=800', '--target', join(ROOT, 'fixtures/targets/examples/sox-play.json')]);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    expect(check(r.summary, 'silent-while-frozen')).toBeUndefined(); // it does not carry the victim
    expect(check(r.summary, 'resumed-after-thaw')?.verdict).toBe('pass');
    expect(check(r.summary, 'no-duplicates')?.message).toMatch(/^\d+ objects before and after$/);
  });
});
