// Observations recorded from real runs (fixtures/recorded/observations/<scenario>-<case>.json) and
// what a judge makes of them: each judge's unit test reads its recordings through this.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../root.ts';
import type { CheckResult, Judgement } from './check.ts';

export const OBSERVATIONS = join(ROOT, 'fixtures/recorded/observations');

export function recordings<O>(prefix: string, judge: (o: O) => Judgement) {
  const find = (o: O, id: string, subject?: string): CheckResult | undefined =>
    judge(o).checks.find((c) => c.id === id && (subject === undefined || c.subject === subject));
  return {
    recorded: (name: string): O => JSON.parse(readFileSync(join(OBSERVATIONS, `${prefix}-${name}.json`), 'utf8')) as O,
    // The ids of the checks the judge fails, in its order.
    failedIds: (o: O): string[] =>
      judge(o)
        .checks.filter((c) => c.verdict === 'fail')
        .map((c) => c.id),
    // The same, each with its subject where it has one: "baseline-after-kill:after-create".
    failed: (o: O): string[] =>
      judge(o)
        .checks.filter((c) => c.verdict === 'fail')
        .map((c) => (c.subject ? `${c.id}:${c.subject}` : c.id)),
    // One check by id (and subject, where a check is made of several things); absent is a test failure.
    check: (o: O, id: string, subject?: string): CheckResult => {
      const found = find(o, id, subject);
      if (found) return found;
      throw new Error(`the judge made no check ${id}${subject ? ` (${subject})` : ''}; it made: ${judge(o).checks.map((c) => c.id)}`);
    },
    // A check the judge may rightly not make (a trait the target lacks): undefined then.
    find,
  };
}
