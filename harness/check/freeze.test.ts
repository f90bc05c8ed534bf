// The freeze judge on observations recorded from real runs (fixtures/recorded/observations/
// freeze-*.json): the reference engine frozen by cgroup.freeze for 1000 ms, as it is and under
// retap-on-thaw. Every check passes on one and fails on another; where no real run showed a case
// (a freeze that did not silence the victim, an engine that died, no tone back), the test changes
// the one field that check reads, and says so.
import { describe, expect, it } from 'vitest';
import { judgeFreeze, type FreezeObservation } from './freeze.ts';
import { recordings } from './recorded.ts';

const { recorded, failedIds, check } = recordings<FreezeObservation>('freeze', judgeFreeze);
const ok = recorded('pass');
const retap = recorded('retap');

describe('judgeFreeze on real runs', () => {
  it.each([
    ['pass', []],
    ['retap', ['no-duplicates']], // a second tap beside the first: the same app tapped twice
  ])('%s fails %j', (name, ids) => {
    expect(failedIds(recorded(name))).toEqual(ids);
    expect(judgeFreeze(recorded(name)).diagnosis === undefined).toBe(ids.length === 0);
  });

  it('retap-on-thaw: the diagnosis names the bug and the taps made again, each once', () => {
    expect(check(retap, 'no-duplicates').message).toMatch(/^new: hilt-engine-\d+-thaw$/);
    expect(judgeFreeze(retap).diagnosis).toMatch(
      new RegExp(
        '^after \\d+ ms frozen \\(cgroup\\.freeze\\) hilt-engine made its taps again without removing the old ones ' +
          '\\(retap-on-thaw\\): hilt-engine-\\d+-thaw beside',
      ),
    );
  });
});

describe('each check, pass and fail', () => {
  it('silent-while-frozen: the proof that the freeze bit (changed: never silent)', () => {
    expect(check(ok, 'silent-while-frozen').verdict).toBe('pass');
    const { silentAfterMs: _, ...never } = ok;
    expect(check(never, 'silent-while-frozen')).toMatchObject({ verdict: 'fail', measured: 'never silent' });
  });
  it('resumed-after-thaw: the tone back within resume_ms (changed: never back)', () => {
    expect(check(ok, 'resumed-after-thaw').verdict).toBe('pass');
    const { resumeMs: _, ...silent } = ok;
    expect(check(silent, 'resumed-after-thaw').message).toMatch(/did not happen within the 1000 ms deadline/);
  });
  it('alive-after-thaw: it runs on and says what it saw (changed: it ended)', () => {
    expect(check(ok, 'alive-after-thaw').message).toMatch(/running; it said: stall: the audio loop did not run for \d+ ms/);
    expect(check({ ...ok, aliveAfter: false }, 'alive-after-thaw').verdict).toBe('fail');
  });
  it('no-duplicates and back-to-baseline: what the server holds', () => {
    expect(check(ok, 'no-duplicates').message).toMatch(/^\d+ objects before and after$/);
    expect(check(retap, 'back-to-baseline').verdict).toBe('pass'); // its clean stop removes old and new taps
    const left = { ...ok, notBaseline: retap.objectsAfter.map((name) => ({ kind: 'pulse-module' as const, name, id: '1', key: name })) };
    expect(check(left as FreezeObservation, 'back-to-baseline').verdict).toBe('fail');
  });
});
