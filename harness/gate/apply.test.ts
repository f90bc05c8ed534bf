import { describe, expect, it } from 'vitest';
import { isHiltError } from '../errors.ts';
import { applyPolicy, checkVersions } from './apply.ts';
import { CATALOGUE, summaryText, type FixtureOptions } from './fixtures.ts';
import { formatReport, reportJson } from './format.ts';
import { parsePolicy } from './policy.ts';
import { parseSummary, type GateResult, type ResultSet } from './results.ts';

const TODAY = '2026-12-02';

const policy = (extra: Record<string, unknown> = {}) =>
  parsePolicy(
    {
      requirements: [{ scenario: 'kill9', platform: 'linux', rig: 'virtual', minRepetitions: 300, maxFailureRate: 0.01 }],
      ...extra,
    },
    'p.json',
    CATALOGUE,
  );

// Results as runners wrote them: each fixture through the same reader the gate uses.
function results(...runs: (FixtureOptions & { file?: string })[]): ResultSet {
  const rs = runs.map((o, i) => parseSummary(summaryText(o), o.file ?? `runner/${i}/summary.json`, 'runner') as GateResult);
  return { sources: [{ path: 'runner', kind: 'folder', results: rs.length }], results: rs, duplicates: [] };
}

describe('requirements', () => {
  it('ships on enough runs with a low enough bound, and says the figures', () => {
    const r = applyPolicy(policy(), results({ runs: 300 }), TODAY);
    expect(r.verdict).toBe('ship');
    expect(r.lines[0]).toMatchObject({ status: 'ship', failed: 0, runs: 300 });
    expect(r.lines[0]!.upperBound95).toBeCloseTo(0.00994, 4);
    expect(r.lines[0]!.reason).toBe(
      'kill9 on linux/virtual: 0 of 300 failed, failure rate below 1.0% at 95% (policy: at most 1.0%, at least 300 runs)',
    );
  });

  it('sums two runners: k and N added, the bound on the sums', () => {
    const r = applyPolicy(policy(), results({ runs: 150 }, { runs: 150 }), TODAY);
    expect(r.lines[0]).toMatchObject({ status: 'ship', failed: 0, runs: 300 });
    expect(r.lines[0]!.reason).toMatch(/0 of 300 failed over 2 results, failure rate below 1\.0%/);
    const one = applyPolicy(policy(), results({ runs: 150 }), TODAY);
    expect(one.lines[0]!.reason).toMatch(/only 150 runs, fewer than the 300 the policy asks/);
    expect(one.verdict).toBe('do-not-ship');
  });

  it('fails a bound above the limit, with the first failure diagnosis', () => {
    const r = applyPolicy(policy(), results({ runs: 300, failures: 2, diagnosis: 'orphan taps: hilt-engine-42' }), TODAY);
    expect(r.lines[0]!.status).toBe('fail');
    expect(r.lines[0]!.reason).toMatch(
      new RegExp(
        '^kill9 on linux/virtual: 2 of 300 failed, failure rate below 2\\.1% at 95%: the bound is above 1\\.0% \\(policy: .*\\); ' +
          'e\\.g\\. runner/0/summary\\.json: orphan taps: hilt-engine-42$',
      ),
    );
  });

  it("a crash says how the program died, in the run's own words: on the line, and on the failure it names", () => {
    const crash = { scenario: 'crash', target: 'python-segv-wait' };
    const p = (maxFailureRate: number) =>
      parsePolicy(
        { requirements: [{ ...crash, platform: 'linux', rig: 'virtual', minRepetitions: 2, maxFailureRate }] },
        'p.json',
        CATALOGUE,
      );
    const ok = applyPolicy(
      p(1),
      results({ ...crash, runs: 2, died: 'silent' }, { ...crash, runs: 1, died: 'own-handler-reraised | silent' }),
      TODAY,
    );
    expect(ok.lines[0]).toMatchObject({ status: 'ship', died: ['own-handler-reraised', 'silent'] });
    expect(ok.lines[0]!.reason).toMatch(/\(policy: .*\); died: own-handler-reraised, silent$/);
    const diagnosis = 'python-segv-wait (pid 7) after SIGSEGV: SIGTERM; died: handler-did-not-end (a crash handler that did not end)';
    const bad = applyPolicy(p(0.5), results({ ...crash, runs: 2, failures: 2, died: 'handler-did-not-end', diagnosis }), TODAY);
    expect(bad.lines[0]!.reason).toMatch(
      /; died: handler-did-not-end; e\.g\. runner\/0\/summary\.json \(died: handler-did-not-end\): python-segv-wait .*did not end/,
    );
    expect(JSON.parse(reportJson(bad, 'p.json')).lines[0].died).toEqual(['handler-did-not-end']);
    expect(applyPolicy(policy(), results({ runs: 300 }), TODAY).lines[0]!.died).toBeUndefined(); // no crash, no word
  });

  it('shows as many decimals as the limit has, rounding the bound up so "below" stays true', () => {
    const p = parsePolicy(
      { requirements: [{ scenario: 'kill9', platform: 'linux', rig: 'virtual', minRepetitions: 1, maxFailureRate: 0.0125 }] },
      'p.json',
      CATALOGUE,
    );
    expect(applyPolicy(p, results({ runs: 300 }), TODAY).lines[0]!.reason).toMatch(/below 1\.00% at 95% \(policy: at most 1\.25%/);
  });

  it('counts only results of the same scenario, platform, rig, target and no bug switch', () => {
    const r = applyPolicy(
      policy(),
      results(
        { runs: 300, os: 'darwin' },
        { runs: 300, rig: 'system' },
        { runs: 300, bugs: ['no-guardian'] },
        { runs: 300, scenario: 'crash' },
      ),
      TODAY,
    );
    expect(r.lines[0]).toMatchObject({ status: 'fail', runs: 0 });
    expect(r.lines[0]!.reason).toBe(
      'kill9 on linux/virtual: no result; run: pnpm scenario kill9 --repeat 300 on a linux runner with --rig virtual',
    );
    expect(r.unmatched).toHaveLength(4);
    const t = parsePolicy(
      { requirements: [{ scenario: 'kill9', platform: 'linux', rig: 'virtual', target: 'pw-play', maxFailureRate: 0.5 }] },
      'p.json',
      CATALOGUE,
    );
    expect(applyPolicy(t, results({ runs: 30 }), TODAY).lines[0]!.reason).toMatch(/^kill9 on linux\/virtual \(pw-play\): no result/);
  });

  it('does not count unavailable results, and says so', () => {
    const r = applyPolicy(policy(), results({ runs: 300 }, { unavailable: true }), TODAY);
    expect(r.lines[0]!.status).toBe('ship');
    expect(r.lines[0]!.reason).toMatch(/; 1 unavailable result not counted$/);
    const only = applyPolicy(policy(), results({ unavailable: true }, { unavailable: true }), TODAY);
    expect(only.lines[0]!.reason).toMatch(/^kill9 on linux\/virtual: unavailable on all 2 results \(rig missing: pipewire\); run:/);
  });
});

describe('waivers', () => {
  const mac = (expires: string) =>
    policy({
      requirements: [
        { scenario: 'kill9', platform: 'linux', rig: 'virtual', minRepetitions: 1, maxFailureRate: 0.5 },
        { scenario: 'crash', platform: 'darwin', rig: 'system', minRepetitions: 1, maxFailureRate: 0.5 },
      ],
      waivers: [{ scenario: 'crash', platform: 'darwin', rig: 'system', reason: 'no macOS runner yet', expires }],
    });

  it('tolerate a missing result through the expiry day', () => {
    for (const expires of ['2026-12-02', '2027-03-31']) {
      const r = applyPolicy(mac(expires), results({ runs: 10 }), TODAY);
      expect(r.verdict).toBe('ship');
      expect(r.lines[1]).toMatchObject({ status: 'waived', waiver: { expires, expired: false } });
      expect(r.lines[1]!.reason).toBe(`crash on darwin/system: no result (waived until ${expires}: 'no macOS runner yet')`);
    }
  });

  it('count as a failure after it, saying the waiver expired on that date', () => {
    const r = applyPolicy(mac('2026-11-30'), results({ runs: 10 }), TODAY);
    expect(r.verdict).toBe('do-not-ship');
    expect(r.lines[1]!.reason).toBe("crash on darwin/system: no result (waiver expired 2026-11-30: 'no macOS runner yet')");
    expect(formatReport({ ...r, duplicates: [] }, 'p.json').split('\n')).toEqual([
      'gate: 1 results from 1 source, policy p.json, today 2026-12-02 (UTC)',
      'ship   kill9 on linux/virtual: 0 of 10 failed, failure rate below 25.9% at 95% (policy: at most 50.0%, at least 1 run)',
      "FAIL   crash on darwin/system: no result (waiver expired 2026-11-30: 'no macOS runner yet')",
      'release verdict: DO NOT SHIP (1 of 2 requirements failed: crash on darwin/system)',
    ]);
  });

  it('tolerate an unavailable result, but never hide one that failed', () => {
    const unavailable = applyPolicy(
      mac('2027-03-31'),
      results({ runs: 10 }, { scenario: 'crash', os: 'darwin', rig: 'system', unavailable: true }),
      TODAY,
    );
    expect(unavailable.lines[1]!.status).toBe('waived');
    expect(unavailable.lines[1]!.reason).toMatch(
      /^crash on darwin\/system: unavailable on its only result \(rig missing: pipewire\) \(waived until/,
    );
    const failed = applyPolicy(
      mac('2027-03-31'),
      results({ runs: 10 }, { scenario: 'crash', os: 'darwin', rig: 'system', failures: 1 }),
      TODAY,
    );
    expect(failed.lines[1]!.status).toBe('fail');
  });
});

describe('bug switch proofs', () => {
  const proofs = policy({
    requirements: [{ scenario: 'kill9', platform: 'linux', rig: 'virtual', maxFailureRate: 1 }],
    bugSwitchProofs: [{ scenario: 'kill9', bug: 'no-guardian,no-sweep', minRepetitions: 20 }],
  });

  it('pass when every repetition under the bug switch failed, in any order of switches', () => {
    const r = applyPolicy(proofs, results({ runs: 1 }, { runs: 20, failures: 20, bugs: ['no-sweep', 'no-guardian'] }), TODAY);
    expect(r.lines[1]).toMatchObject({ kind: 'bug-switch-proof', status: 'ship', failed: 20, runs: 20 });
    expect(r.lines[1]!.reason).toBe('kill9 --bug no-guardian,no-sweep on linux/virtual: caught 20 of 20');
    expect(r.verdict).toBe('ship');
  });

  it('fail when the scenario no longer fails under its bug switch (lost its power)', () => {
    const r = applyPolicy(
      proofs,
      results(
        { runs: 1 },
        { runs: 10, failures: 10, bugs: ['no-guardian', 'no-sweep'] },
        { runs: 10, failures: 8, bugs: ['no-guardian', 'no-sweep'], file: 'b/summary.json' },
      ),
      TODAY,
    );
    expect(r.lines[1]!.status).toBe('fail');
    expect(r.lines[1]!.reason).toBe(
      'kill9 --bug no-guardian,no-sweep on linux/virtual: caught 18 of 20 over 2 results: 2 repetitions passed with the bug switched on: ' +
        'the scenario no longer catches the bug it guards against (it has lost its power; see b/summary.json)',
    );
  });

  it('fail with no result under the bug switch, or too few', () => {
    const none = applyPolicy(proofs, results({ runs: 1 }, { runs: 20, failures: 20, bugs: ['no-guardian'] }), TODAY);
    expect(none.lines[1]!.reason).toBe(
      'kill9 --bug no-guardian,no-sweep on linux/virtual: no result; ' +
        'run: pnpm scenario kill9 --bug no-guardian,no-sweep on a linux runner with --rig virtual',
    );
    const few = applyPolicy(proofs, results({ runs: 1 }, { runs: 3, failures: 3, bugs: ['no-guardian', 'no-sweep'] }), TODAY);
    expect(few.lines[1]!.reason).toMatch(/caught 3 of 3: only 3 runs, fewer than the 20 the policy asks$/);
    expect(formatReport(few, 'p.json')).toMatch(
      /\nrelease verdict: DO NOT SHIP \(1 of 2 requirements failed: kill9 --bug no-guardian,no-sweep on linux\/virtual\)$/,
    );
  });
});

describe('versions and JSON', () => {
  it('refuses results of another hilt version than the policy asks for', () => {
    const p = policy({ hiltVersion: '0.2.0' });
    expect(() => checkVersions(p, results({ hiltVersion: '0.2.0' }))).not.toThrow();
    try {
      checkVersions(p, results({ hiltVersion: '0.2.0' }, { hiltVersion: '0.1.0', file: 'old/summary.json' }));
      throw new Error('expected a refusal');
    } catch (e) {
      expect(isHiltError(e, 'GATE_INPUT')).toBe(true);
      expect((e as Error).message).toMatch(
        /1 result of another hilt version than the policy asks for \(0\.2\.0\):\n {2}- old\/summary\.json: hilt 0\.1\.0/,
      );
      expect((e as Error).message).toMatch(/seen: +hilt 0\.1\.0/);
    }
    expect(() => checkVersions(policy(), results({ hiltVersion: '9.9.9' }))).not.toThrow();
  });

  it('notes results met twice', () => {
    const r = applyPolicy(
      policy(),
      { ...results({ runs: 300 }), duplicates: [{ file: 'b.zip:kill9/summary.json', sameAs: 'b/kill9/summary.json' }] },
      TODAY,
    );
    expect(formatReport(r, 'p.json')).toMatch(
      /\nnote: 1 result\(s\) met twice, counted once \(the same run\), e\.g\. b\.zip:kill9\/summary\.json is b\/kill9\/summary\.json\n/,
    );
  });

  it('--json carries the same verdict and lines', () => {
    const r = applyPolicy(policy(), results({ runs: 300 }), TODAY);
    const j = JSON.parse(reportJson(r, 'p.json')) as { verdict: string; policy: string; lines: { status: string; reason: string }[] };
    expect(j.verdict).toBe('ship');
    expect(j.policy).toBe('p.json');
    expect(j.lines.map((l) => [l.status, l.reason])).toEqual(r.lines.map((l) => [l.status, l.reason]));
  });
});
