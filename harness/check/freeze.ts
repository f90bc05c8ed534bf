// The freeze judge: the engine was frozen (cgroup.freeze, else SIGSTOP) while it tapped a victim,
// then thawed. The victim must have gone silent while it was frozen (proof that the freeze bit),
// be heard again within its deadline after the thaw, the engine must still run, and its objects on
// the server must be exactly the ones it had: a tap made again beside the old one doubles the
// audio and leaves an object nobody will remove. Pure: scenarios/freeze.scenario.ts records it.
import type { InventoryObject } from '../inventory/objects.ts';
import { expectation, withinLimit, type CheckResult, type Judgement } from './check.ts';
import { backToBaseline } from './orphans.ts';

export interface FreezeObservation {
  kind: 'freeze';
  target: { name: string; pid: number };
  bugs: string[];
  how: 'cgroup.freeze' | 'SIGSTOP';
  frozenMs: number; // frozen to thawed
  silentAfterMs?: number; // the freeze to the victim silent; absent: never silent
  resumeMs?: number; // the thaw to the victim heard again; absent: not within the deadline
  resumeLimitMs: number;
  stallLine?: string; // the engine's own account of the stall, after the thaw
  objectsBefore: string[]; // its objects on the server before the freeze
  objectsAfter: string[]; // the same, once it had said what it did after the thaw
  aliveAfter: boolean;
  notBaseline: InventoryObject[]; // after it stopped at the end
}

export function judgeFreeze(o: FreezeObservation): Judgement {
  // By name, each once: a tap is a module, a sink and a node of one name.
  const added = [...new Set(o.objectsAfter.filter((n) => !o.objectsBefore.includes(n)))];
  const lost = [...new Set(o.objectsBefore.filter((n) => !o.objectsAfter.includes(n)))];
  const checks: CheckResult[] = [
    expectation(
      'silent-while-frozen',
      'the victim went silent while the engine was frozen',
      o.silentAfterMs !== undefined,
      o.silentAfterMs === undefined ? 'never silent' : Math.round(o.silentAfterMs),
      `< ${Math.round(o.frozenMs)}`,
      'ms',
      o.silentAfterMs === undefined
        ? `the victim played on through ${Math.round(o.frozenMs)} ms of ${o.how}: the freeze did not reach the engine's audio`
        : `silent ${Math.round(o.silentAfterMs)} ms after ${o.how}`,
    ),
    withinLimit('resumed-after-thaw', 'audio resumes after the thaw', o.resumeMs, o.resumeLimitMs, 'ms', 'thaw to victim tone present'),
    expectation(
      'alive-after-thaw',
      'the engine runs on after the thaw',
      o.aliveAfter,
      o.aliveAfter ? 'running' : 'gone',
      'running',
      '',
      o.aliveAfter ? `pid ${o.target.pid} running; it said: ${o.stallLine ?? 'nothing of the stall'}` : `pid ${o.target.pid} ended`,
    ),
    expectation(
      'no-duplicates',
      'its objects after the thaw are the ones it had',
      added.length === 0 && lost.length === 0,
      o.objectsAfter.length,
      o.objectsBefore.length,
      'objects',
      added.length || lost.length
        ? [added.length && `new: ${added.join(', ')}`, lost.length && `gone: ${lost.join(', ')}`].filter(Boolean).join('; ')
        : `${o.objectsBefore.length} objects before and after`,
    ),
    backToBaseline(o.notBaseline),
  ];
  const failed = checks.filter((c) => c.verdict === 'fail');
  return { checks, ...(failed.length && { diagnosis: diagnoseFreeze(o, failed, added) }) };
}

function diagnoseFreeze(o: FreezeObservation, failed: CheckResult[], added: string[]): string {
  if (failed.some((c) => c.id === 'no-duplicates') && added.length) {
    return (
      `after ${Math.round(o.frozenMs)} ms frozen (${o.how}) the engine made its taps again without removing the old ones ` +
      `(retap-on-thaw): ${added.join(', ')} beside what it had; two taps of one app double its audio, and the old one is an ` +
      `object no layer will remove while the engine lives. It said: ${o.stallLine ?? 'nothing'}`
    );
  }
  return failed.map((c) => `${c.name}: ${c.message}`).join('; ');
}
