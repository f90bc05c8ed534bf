// A check is an oracle over observations: pass or fail, with what it measured against what limit.
// A check that could not look has not proven anything, so it fails and says why it could not.
// `id` is stable (diagnoses, tests and the gate find checks by it); `name` is the sentence people
// read, and `subject` tells apart the same check made of several things (victims, ends, points).
export type CheckVerdict = 'pass' | 'fail';

export interface CheckResult {
  id: string;
  name: string;
  subject?: string;
  verdict: CheckVerdict;
  measured: number | string | null;
  limit: number | string | null;
  unit: string;
  message: string;
}

// "x <= limit" checks on a measured number (undefined = never happened = fail).
export function withinLimit(
  id: string,
  name: string,
  measured: number | undefined,
  limit: number,
  unit: string,
  what: string,
): CheckResult {
  const ok = measured !== undefined && measured <= limit;
  return {
    id,
    name,
    verdict: ok ? 'pass' : 'fail',
    measured: measured === undefined ? null : Math.round(measured * 10) / 10,
    limit,
    unit,
    message:
      measured === undefined
        ? `${what}: did not happen within the ${limit} ${unit} deadline`
        : `${what}: ${Math.round(measured)} ${unit} (limit ${limit} ${unit})`,
  };
}

export function expectation(
  id: string,
  name: string,
  ok: boolean,
  measured: number | string | null,
  limit: number | string | null,
  unit: string,
  message: string,
): CheckResult {
  return { id, name, verdict: ok ? 'pass' : 'fail', measured, limit, unit, message };
}

// What a judge makes of one observation: its checks, and a diagnosis when one failed.
export interface Judgement {
  checks: CheckResult[];
  diagnosis?: string;
  facts?: Record<string, string>; // what happened, in stable words (a crash's "died"), for the summary's facts
}

// How the target ended, against what counts as clean for the fault (every fault scenario's 'exit').
export const exitCheck = (want: { ok: boolean; expected: string }, ended: string, said: string): CheckResult =>
  expectation('exit', `exit is ${want.expected}`, want.ok, ended, want.expected, '', said);

// The checks of a summary with this id (and subject, when given).
export const checksById = <T extends Pick<CheckResult, 'id' | 'subject'>>(checks: T[], id: string, subject?: string): T[] =>
  checks.filter((c) => c.id === id && (subject === undefined || c.subject === subject));
