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
  // What is listened for: the victim the engine taps (silent while frozen), a black box's own sound
  // (back after the thaw), or nothing (a program that plays nothing).
  listen?: 'victim' | 'own sound' | 'nothing';
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
  const listen = o.listen ?? 'victim';
  // By name, each once: a tap is a module, a sink and a node of one name.
  const added = [...new Set(o.objectsAfter.filter((n) => !o.objectsBefore.includes(n)))];
  const lost = [...new Set(o.objectsBefore.filter((n) => !o.objectsAfter.includes(n)))];
  const checks: (CheckResult | false)[] = [
    listen === 'victim' &&
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
    listen !== 'nothing' &&
      withinLimit(
        'resumed-after-thaw',
        'audio resumes after the thaw',
        o.resumeMs,
        o.resumeLimitMs,
        'ms',
        listen === 'victim' ? 'thaw to victim tone present' : 'thaw to its own sound heard',
      ),
    expectation(
      'alive-after-thaw',
      `${o.target.name} runs on after the thaw`,
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
  const made = checks.filter((c): c is CheckResult => c !== false);
  const failed = made.filter((c) => c.verdict === 'fail');
  return { checks: made, ...(failed.length && { diagnosis: diagnoseFreeze(o, failed, added) }) };
}

function diagnoseFreeze(o: FreezeObservation, failed: CheckResult[], added: string[]): string {
  if (failed.some((c) => c.id === 'no-duplicates') && added.length) {
    const engine = (o.listen ?? 'victim') === 'victim';
    return (
      `after ${Math.round(o.frozenMs)} ms frozen (${o.how}) ${o.target.name} made its ${engine ? 'taps' : 'objects'} again ` +
      `without removing the old ones${o.bugs.includes('retap-on-thaw') ? ' (retap-on-thaw)' : ''}: ${added.join(', ')} beside what ` +
      `it had; ${engine ? 'two taps of one app double its audio, and ' : ''}the old ones are objects nobody removes while it lives. ` +
      `It said: ${o.stallLine ?? 'nothing'}`
    );
  }
  return failed.map((c) => `${c.name}: ${c.message}`).join('; ');
}
