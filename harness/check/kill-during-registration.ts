// The kill-during-registration judge (muesli #387's hole in FineTune's defences): the engine was
// SIGKILLed while stopped at points of its start-up, each kill followed by a relaunch. After every
// round nothing of the killed pid may outlive the relaunch, the victim must be heard again, and the
// inventory must end at baseline. Pure: scenarios/kill-during-registration.scenario.ts records the
// observation; recorded ones test it without a rig.
import type { InventoryObject } from '../inventory/objects.ts';
import { expectation, withinLimit, type CheckResult, type Judgement } from './check.ts';
import { backToBaseline } from './orphans.ts';

export const KILL_POINTS = ['before-create', 'after-create', 'after-track'] as const;
export type KillPoint = (typeof KILL_POINTS)[number];
const MEANING: Record<KillPoint, string> = {
  'before-create': 'nothing created yet',
  'after-create': "tap created on the server, not yet tracked: invisible to the engine's own list and to its guardian",
  'after-track': 'tap created and tracked: the guardian knows it',
};

// One kill and its relaunch, as the server and the relaunched engine's log told it.
export interface KillRound {
  point: KillPoint;
  pid: number; // the killed engine
  leftAfterKill: string[]; // its taps (Pulse modules) still on the server right after the kill
  leftAfterRelaunch: string[]; // its objects still on the server once the relaunch was up
  sweptByRelaunch: string[]; // what the relaunch's start-up sweep says it removed of that pid
  resumeMs?: number; // the kill to the victim's tone steadily back (absent: not within resumeLimitMs)
}

export interface KillDuringRegistrationObservation {
  kind: 'kill-during-registration';
  target: { name: string };
  bugs: string[];
  seed: number;
  resumeLimitMs: number;
  rounds: KillRound[]; // in the seeded order
  notBaseline: InventoryObject[]; // objects not in the baseline after the last round
}

// What the kills after create (the window the guardian cannot see) left, and who removed it.
export function registrationWindow(rounds: KillRound[]): string {
  const hole = rounds.filter((r) => r.point === 'after-create' && r.leftAfterKill.length > 0);
  return hole.length
    ? `${hole.length} kill(s) after create left a tap the guardian could not see ` +
        `(${hole.map((r) => r.leftAfterKill.join(',')).join('; ')}); ` +
        `removed by: ${hole.every((r) => r.sweptByRelaunch.length) ? 'the relaunch sweep' : 'nobody'}`
    : 'no object left in the registration window';
}

export function judgeKillDuringRegistration(o: KillDuringRegistrationObservation): Judgement {
  const { rounds } = o;
  const checks: CheckResult[] = KILL_POINTS.map((point) => {
    const mine = rounds.filter((r) => r.point === point);
    const bad = mine.filter((r) => r.leftAfterRelaunch.length > 0);
    return {
      ...expectation(
        'baseline-after-kill',
        `back to baseline after a kill at ${point}`,
        bad.length === 0,
        `${bad.length} of ${mine.length}`,
        `0 of ${mine.length}`,
        'rounds left objects',
        bad.length === 0
          ? `${mine.length} round(s); ${MEANING[point]}`
          : bad.map((r) => `pid ${r.pid}: ${r.leftAfterRelaunch.join('; ')}`).join('\n'),
      ),
      subject: point,
    };
  });
  const worst = Math.max(...rounds.map((r) => r.resumeMs ?? Number.POSITIVE_INFINITY));
  checks.push(
    withinLimit(
      'victim-resumed',
      'victim heard after every kill',
      Number.isFinite(worst) ? worst : undefined,
      o.resumeLimitMs,
      'ms',
      'SIGKILL to tone present (worst round)',
    ),
    backToBaseline(o.notBaseline),
  );

  // Other failures keep the run's default diagnosis: the failed checks.
  const failedPoints = KILL_POINTS.filter((p) => rounds.some((r) => r.point === p && r.leftAfterRelaunch.length));
  if (!failedPoints.length) return { checks };
  const r = rounds.find((x) => failedPoints.includes(x.point) && x.leftAfterRelaunch.length)!;
  const diagnosis =
    `a SIGKILL at ${failedPoints.join(' and ')} left objects that survived the next launch ` +
    `(e.g. pid ${r.pid}: ${r.leftAfterRelaunch[0]}). ` +
    `${r.point === 'after-create' ? 'The tap was created but not yet tracked, so the guardian could not know it (muesli #387); ' : ''}` +
    `the relaunched engine swept ${r.sweptByRelaunch.length ? r.sweptByRelaunch.join(', ') : 'nothing'}: ` +
    `its start-up sweep is missing (no-sweep). Seed ${o.seed} replays this order.`;
  return { checks, diagnosis };
}
