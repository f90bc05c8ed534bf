// The proofs a run makes before its fault, so that the fault can bite: the victim is heard before
// the target starts; the reference engine moved the victim into one of its taps and plays it back.
// Pure: the scenarios measure (scenarios/lib/target-session.ts, scenarios/lib/reference-engine.ts),
// these make the checks, and harness/check/proofs.test.ts tests them on values recorded from runs.
import { expectation, withinLimit, type CheckResult } from './check.ts';

// The victim's tone on the observed output, within limitMs of it starting to play.
export const victimHeardCheck = (v: { name: string; hz: number; heardMs?: number; limitMs: number }): CheckResult => ({
  ...withinLimit(
    'victim-heard',
    `${v.name} heard before the target starts`,
    v.heardMs,
    v.limitMs,
    'ms',
    `${v.hz} Hz tone on the observed output`,
  ),
  subject: v.name,
});

// The victim's stream sits in a tap of this engine: its sink is `<prefix>-<pid>` or `<prefix>-<pid>-…`.
export function tappedCheck(t: { victim: string; prefix: string; pid: number; sink?: string; waitedMs: number }): CheckResult {
  const mine = `${t.prefix}-${t.pid}`;
  const ok = t.sink !== undefined && (t.sink === mine || t.sink.startsWith(`${mine}-`));
  return {
    ...expectation(
      'tapped',
      `engine tapped ${t.victim}`,
      ok,
      t.sink ?? 'none',
      `${mine}[-…]`,
      'sink',
      ok
        ? `${t.victim} moved into ${t.sink} after ${Math.round(t.waitedMs)} ms`
        : `${t.victim} never moved into a tap of pid ${t.pid} (it sits in ${t.sink ?? 'no sink'})`,
    ),
    subject: t.victim,
  };
}

// The tapped victim heard through the engine's playback of its tap.
export const heardThroughCheck = (h: { victim: string; heard: boolean }): CheckResult => ({
  ...expectation(
    'heard-through',
    `${h.victim} heard through the engine`,
    h.heard,
    h.heard ? 'present' : 'absent',
    'present',
    '',
    h.heard
      ? `the tapped ${h.victim} is heard through the engine playback`
      : `${h.victim} is tapped but silent: the engine does not play its tap back`,
  ),
  subject: h.victim,
});
