// The proofs before a fault, on values recorded from real runs: the taps the reference engine made
// (fixtures/recorded/observations/tapping-kill9.json and tapping-multi-app.json list them), a
// victim's stream left on the observed output, and the times the victim took to be heard.
import { describe, expect, it } from 'vitest';
import { heardThroughCheck, tappedCheck, victimHeardCheck } from './proofs.ts';
import type { TappingObservation } from './tapping.ts';
import { recordings } from './recorded.ts';
import { judgeTapping } from './tapping.ts';

const { recorded } = recordings<TappingObservation>('tapping', (o) => judgeTapping(o, 'kill9'));
const kill9 = recorded('kill9');
const multi = recorded('multi-app');

describe('tapped: the victim sits in a tap of this engine', () => {
  it("passes for the engine's own tap, and for a per-app tap named after it", () => {
    const own = kill9.objectsBefore[0]!; // hilt-engine-<pid>
    expect(tappedCheck({ victim: 'hilt-victim', prefix: 'hilt-engine', pid: kill9.target.pid, sink: own, waitedMs: 31.6 })).toMatchObject({
      verdict: 'pass',
      subject: 'hilt-victim',
      message: `hilt-victim moved into ${own} after 32 ms`,
    });
    const perApp = multi.taps!.seen[0]!; // hilt-engine-<pid>-hilt-victim-1
    expect(tappedCheck({ victim: 'hilt-victim-1', prefix: 'hilt-engine', pid: multi.target.pid, sink: perApp, waitedMs: 40 }).verdict).toBe(
      'pass',
    );
  });
  it("fails for the observed output, for another engine's tap, and for no sink at all", () => {
    const pid = kill9.target.pid;
    expect(tappedCheck({ victim: 'hilt-victim', prefix: 'hilt-engine', pid, sink: 'hilt-observed', waitedMs: 2000 })).toMatchObject({
      verdict: 'fail',
      message: `hilt-victim never moved into a tap of pid ${pid} (it sits in hilt-observed)`,
    });
    // Another engine's (a pid that merely starts with this one's digits is not this one's).
    expect(tappedCheck({ victim: 'hilt-victim', prefix: 'hilt-engine', pid, sink: `hilt-engine-${pid}1`, waitedMs: 2000 }).verdict).toBe(
      'fail',
    );
    expect(tappedCheck({ victim: 'hilt-victim', prefix: 'hilt-engine', pid, waitedMs: 2000 }).measured).toBe('none');
  });
});

describe('heard-through and victim-heard', () => {
  it('heard through the engine, or tapped but silent', () => {
    expect(heardThroughCheck({ victim: 'hilt-victim', heard: true }).verdict).toBe('pass');
    expect(heardThroughCheck({ victim: 'hilt-victim', heard: false }).message).toMatch(
      /tapped but silent: the engine does not play its tap back/,
    );
  });
  it('the victim heard within 2000 ms of starting (92.6 ms on a run of --rig system), or never', () => {
    expect(victimHeardCheck({ name: 'hilt-victim', hz: 440, heardMs: 92.6, limitMs: 2000 })).toMatchObject({
      verdict: 'pass',
      measured: 92.6,
    });
    expect(victimHeardCheck({ name: 'hilt-victim', hz: 440, limitMs: 2000 }).message).toBe(
      '440 Hz tone on the observed output: did not happen within the 2000 ms deadline',
    );
  });
});
