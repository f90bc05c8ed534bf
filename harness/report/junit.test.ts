import { describe, expect, it } from 'vitest';
import { junitXml } from './junit.ts';
import { summaryMarkdown } from './markdown.ts';
import type { Summary } from './summary.ts';

const s: Summary = {
  schemaVersion: 2,
  hiltVersion: '0.4.0',
  platform: { os: 'linux', kernel: '6.1.0', arch: 'x64', cpus: 2, audioServer: { name: 'PipeWire', version: '0.3.65' } },
  scenario: 'kill9',
  target: 'hilt-engine',
  rig: 'virtual',
  seed: 77,
  bugs: ['no-sweep'],
  verdict: 'flaky',
  diagnosis: '1 of 2 runs failed',
  checks: [],
  metrics: {},
  metricStats: {},
  facts: {},
  phases: [],
  evidence: [{ name: 'timeline', kind: 'svg', path: 'timeline.run2.svg' }],
  runs: 2,
  failures: 1,
  failureRate: { failed: 1, runs: 2, upperBound95: 0.9747 },
  repetitions: [
    { repetition: 1, seed: 77, verdict: 'pass', durationMs: 1100, failedChecks: [] },
    { repetition: 2, seed: 9001, verdict: 'fail', durationMs: 1200, failedChecks: ['no-orphans'], diagnosis: 'orphan <pulse-sink> & co' },
  ],
  startedAt: '2026-12-02T00:00:00.000Z',
  durationMs: 2500,
};

describe('junitXml', () => {
  const xml = junitXml([s]);
  it('one testcase per repetition, with seed, replay, target and bug switches as properties', () => {
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toContain('<property name="seed" value="9001"/>');
    expect(xml).toContain('<property name="replay" value="--seed 77 --only-repetition 2"/>');
    expect(xml).toContain('<property name="bugs" value="no-sweep"/>');
    expect(xml).toContain('tests="2" failures="1"');
  });
  it('escapes what XML cannot hold', () => {
    expect(xml).toContain('orphan &lt;pulse-sink&gt; &amp; co');
  });
  it('an unavailable run is one skipped testcase with the reason', () => {
    const u = junitXml([{ ...s, verdict: 'unavailable', diagnosis: 'needs pipewire-jack', repetitions: [], runs: 0, failures: 0 }]);
    expect(u).toContain('<skipped message="needs pipewire-jack"/>');
  });
});

describe('summaryMarkdown', () => {
  const md = summaryMarkdown([s], () => 'kill9');
  it('a table row with the verdict and the bound, the platform, links and replays', () => {
    expect(md).toContain('| kill9 | hilt-engine | virtual | no-sweep | **FLAKY** | 1 of 2 caught (detection rate above 2.5% at 95%) |');
    expect(md).toContain('hilt 0.4.0 on linux 6.1.0 (2 CPUs, PipeWire 0.3.65).');
    expect(md).toContain('[timeline](kill9/timeline.run2.svg)');
    expect(md).toContain('`--seed 77 --only-repetition 2`');
    expect(md).not.toContain('Died:');
  });

  it('a crash of a black box says how it died, in the words of its facts', () => {
    const facts = { died: 'silent', 'how it died': 'died silently of SIGSEGV: no output after the signal' };
    expect(summaryMarkdown([{ ...s, scenario: 'crash', facts }], () => '')).toContain(
      'Died: `silent`: died silently of SIGSEGV: no output after the signal.',
    );
  });
});
