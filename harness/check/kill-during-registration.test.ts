// The kill-during-registration judge on observations recorded from real runs (fixtures/recorded/
// observations/kill-during-registration-*.json): the reference engine as it is and under no-sweep,
// both with seed 11 and 6 kills. Every check passes on one and fails on another; the bug switch's
// diagnosis names it. Where no real run failed a check, the test changes the one field that check
// reads, and says so.
import { describe, expect, it } from 'vitest';
import { judgeKillDuringRegistration, registrationWindow, type KillDuringRegistrationObservation } from './kill-during-registration.ts';
import { recordings } from './recorded.ts';

const { recorded, failed, check } = recordings<KillDuringRegistrationObservation>('kill-during-registration', judgeKillDuringRegistration);

describe('judgeKillDuringRegistration on real runs: the verdicts those runs had', () => {
  it.each([
    ['pass', []],
    // Only the kills after create leave a tap no one tracked; with no sweep they stay to the end.
    ['no-sweep', ['baseline-after-kill:after-create', 'back-to-baseline']],
  ])('%s fails %j', (name, ids) => {
    expect(failed(recorded(name))).toEqual(ids);
  });
});

describe('each check, pass and fail', () => {
  const ok = recorded('pass');
  const bad = recorded('no-sweep');

  it('baseline-after-kill: one check per point, each saying what a kill there leaves', () => {
    expect(check(ok, 'baseline-after-kill', 'before-create')).toMatchObject({
      verdict: 'pass',
      message: '1 round(s); nothing created yet',
    });
    expect(check(ok, 'baseline-after-kill', 'after-create')).toMatchObject({ verdict: 'pass', measured: '0 of 4', limit: '0 of 4' });
    expect(check(ok, 'baseline-after-kill', 'after-track').message).toBe('1 round(s); tap created and tracked: the guardian knows it');
    const c = check(bad, 'baseline-after-kill', 'after-create');
    expect(c).toMatchObject({ verdict: 'fail', measured: '4 of 4' });
    expect(c.message.split('\n')).toHaveLength(4);
    expect(c.message).toMatch(/^pid \d+: pulse-module hilt-engine-\d+ \(id \d+, creator pid \d+ dead\); /);
  });

  it('baseline-after-kill at after-track and before-create (changed: a round there left an object)', () => {
    const rounds = ok.rounds.map((r) => (r.point === 'after-create' ? r : { ...r, leftAfterRelaunch: ['pulse-module x (id 1)'] }));
    expect(failed({ ...ok, rounds })).toEqual(['baseline-after-kill:before-create', 'baseline-after-kill:after-track']);
  });

  it('victim-resumed: the worst round within the limit (changed: a round never heard the victim again)', () => {
    expect(check(ok, 'victim-resumed')).toMatchObject({ verdict: 'pass', limit: 1000 });
    const { resumeMs: _, ...silent } = ok.rounds[0]!;
    const c = check({ ...ok, rounds: [silent, ...ok.rounds.slice(1)] }, 'victim-resumed');
    expect(c).toMatchObject({ verdict: 'fail', measured: null });
    expect(c.message).toBe('SIGKILL to tone present (worst round): did not happen within the 1000 ms deadline');
  });

  it('back-to-baseline: what the last round left on the server', () => {
    expect(check(ok, 'back-to-baseline').verdict).toBe('pass');
    expect(check(bad, 'back-to-baseline').message).toMatch(/^12 object\(s\) not in the baseline remain: pulse-module hilt-engine-\d+/);
  });
});

describe('the registration window and the diagnosis', () => {
  it('the kills after create left a tap the guardian could not see; who removed it', () => {
    expect(registrationWindow(recorded('pass').rounds)).toMatch(/^4 kill\(s\) after create .* removed by: the relaunch sweep$/);
    expect(registrationWindow(recorded('no-sweep').rounds)).toMatch(/removed by: nobody$/);
    expect(registrationWindow([])).toBe('no object left in the registration window');
  });

  it('no-sweep: names the point, muesli #387, the missing sweep and the seed', () => {
    const said = judgeKillDuringRegistration(recorded('no-sweep')).diagnosis;
    expect(said).toMatch(/^a SIGKILL at after-create left objects that survived the next launch \(e\.g\. pid \d+: pulse-module /);
    expect(said).toMatch(/not yet tracked, so the guardian could not know it \(muesli #387\); the relaunched engine swept nothing: /);
    expect(said).toMatch(/its start-up sweep is missing \(no-sweep\)\. Seed 11 replays this order\.$/);
    expect(judgeKillDuringRegistration(recorded('pass')).diagnosis).toBeUndefined();
  });
});
