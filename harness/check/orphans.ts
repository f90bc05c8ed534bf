// Inventory checks: what the server and the OS hold, never what the target says it holds.
import { describeObject, type InventoryObject } from '../inventory/objects.ts';
import type { InventoryDiff } from '../inventory/snapshot.ts';
import { expectation, type CheckResult } from './check.ts';

const list = (objs: InventoryObject[]) => objs.map(describeObject).join('; ');

export function orphansPresent(id: string, name: string, diff: InventoryDiff, ownerPid: number): CheckResult {
  const mine = diff.orphans.filter((o) => o.ownerPid === ownerPid);
  return expectation(
    id,
    name,
    mine.length > 0,
    mine.length,
    '>= 1',
    'objects',
    mine.length > 0
      ? `the fault bit: ${mine.length} object(s) of dead pid ${ownerPid} left on the server: ${list(mine)}`
      : `expected objects of the killed pid ${ownerPid} to be left behind (the fault did not bite); none found`,
  );
}

export function noObjectsOf(id: string, name: string, objects: InventoryObject[], ownerPid: number, when: string): CheckResult {
  const left = objects.filter((o) => o.ownerPid === ownerPid);
  return expectation(
    id,
    name,
    left.length === 0,
    left.length,
    0,
    'objects',
    left.length === 0
      ? `no object of pid ${ownerPid} remains ${when}`
      : `${left.length} orphan(s) of pid ${ownerPid} remain ${when}: ${list(left)}`,
  );
}

// 'back-to-baseline': everything new on the server since the baseline is gone again, whoever made
// it ('no-orphans' is about the target's own objects: harness/check/blackbox.ts, tapping.ts).
export function backToBaseline(added: InventoryObject[], name = 'inventory back to baseline'): CheckResult {
  const n = added.length;
  return expectation(
    'back-to-baseline',
    name,
    n === 0,
    n,
    0,
    'objects',
    n === 0 ? 'inventory is back to its baseline' : `${n} object(s) not in the baseline remain: ${list(added)}`,
  );
}
