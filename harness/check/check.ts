// A check is an oracle over observations. Like a Jepsen checker it answers valid (pass),
// invalid (fail) or unknown (it could not look), and it says what it measured against what limit.
export type CheckVerdict = 'pass' | 'fail' | 'unknown';

export interface CheckResult {
  name: string;
  verdict: CheckVerdict;
  measured: number | string | null;
  limit: number | string | null;
  unit: string;
  message: string;
}

// "x <= limit" checks on a measured number (undefined = never happened = fail).
export function withinLimit(name: string, measured: number | undefined, limit: number, unit: string, what: string): CheckResult {
  const ok = measured !== undefined && measured <= limit;
  return {
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

export function expectation(name: string, ok: boolean, measured: number | string | null, limit: number | string | null, unit: string, message: string): CheckResult {
  return { name, verdict: ok ? 'pass' : 'fail', measured, limit, unit, message };
}
