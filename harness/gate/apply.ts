// The gate's judgement, pure: a policy and the results read, to one line per requirement and the
// release verdict. Several results of the same requirement (two runners) are summed: k failures of N
// repetitions, and the Clopper-Pearson bound is computed on the sums.
import { HiltError } from '../errors.ts';
import { clopperPearsonUpper } from '../report/stats.ts';
import { bugKey, type BugSwitchProof, type Policy, type Requirement, type Waiver } from './policy.ts';
import type { GateResult, ResultSet } from './results.ts';

export type LineStatus = 'ship' | 'fail' | 'waived';

export interface GateLine {
  kind: 'requirement' | 'bug-switch-proof';
  label: string; // "kill9 on linux/virtual", "kill9 --bug no-guardian,no-sweep on linux/virtual"
  status: LineStatus;
  reason: string; // the line people read, with its figures
  scenario: string;
  platform: string;
  rig: string;
  bug?: string;
  failed: number; // summed over the results counted
  runs: number;
  upperBound95?: number; // requirements with runs: the bound on failed of runs
  results: string[]; // the summary.json files counted
  died?: string[]; // crash runs: how the program died of the signal, each word seen in the results counted
  waiver?: { reason: string; expires: string; expired: boolean };
}

export interface GateReport {
  verdict: 'ship' | 'do-not-ship';
  today: string; // YYYY-MM-DD (UTC): the day waivers are judged against
  lines: GateLine[];
  failed: string[]; // labels of the lines that failed
  results: number; // summary.json files read
  sources: ResultSet['sources'];
  unmatched: string[]; // results that no requirement or proof counted
  duplicates: ResultSet['duplicates']; // the same run met twice: counted once
}

// A fraction as a percentage rounded up at `d` decimals, so "below X%" stays true: 0.00994 -> "1.0".
const pctUp = (x: number, d: number): string => (Math.ceil(x * 100 * 10 ** d - 1e-9) / 10 ** d).toFixed(d);
// The decimals a limit needs to be shown exactly (at least one): 0.01 -> 1, 0.0125 -> 2.
const decimals = (x: number): number => {
  const s = String(Math.round(x * 100 * 1e6) / 1e6);
  return Math.max(1, s.includes('.') ? s.split('.')[1]!.length : 0);
};
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const clip = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n - 3)}...` : s);

// Results of another hilt version than the policy names are refused, never judged.
export function checkVersions(policy: Policy, set: ResultSet): void {
  if (!policy.hiltVersion) return;
  const other = set.results.filter((r) => r.hiltVersion !== policy.hiltVersion);
  if (!other.length) return;
  const shown = other.slice(0, 10).map((r) => `  - ${r.file}: hilt ${r.hiltVersion}`);
  if (other.length > shown.length) shown.push(`  ... and ${other.length - shown.length} more`);
  throw new HiltError(
    'GATE_INPUT',
    `${plural(other.length, 'result')} of another hilt version than the policy asks for (${policy.hiltVersion}):\n${shown.join('\n')}`,
    {
      expected: `every summary.json written by hilt ${policy.hiltVersion}`,
      seen: [...new Set(other.map((r) => r.hiltVersion))].map((v) => `hilt ${v}`).join(', '),
      hint: 'rerun the scenarios with the hilt being released, or set "hiltVersion" in the policy to the version under test',
    },
  );
}

// The waiver for a scenario on a platform and rig; of several, the one that lasts longest.
function waiverFor(policy: Policy, scenario: string, platform: string, rig: string): Waiver | undefined {
  return policy.waivers
    .filter((w) => w.scenario === scenario && w.platform === platform && w.rig === rig)
    .sort((a, b) => b.expires.localeCompare(a.expires))[0];
}

interface Matched {
  judged: GateResult[]; // results that ran (pass, flaky, fail)
  unavailable: GateResult[];
}

function split(results: GateResult[]): Matched {
  return { judged: results.filter((r) => r.verdict !== 'unavailable'), unavailable: results.filter((r) => r.verdict === 'unavailable') };
}

// Nothing judged: a waiver tolerates it until its date; without one, or after it, it fails.
function nothingJudged(base: Omit<GateLine, 'status' | 'reason'>, m: Matched, w: Waiver | undefined, today: string, run: string): GateLine {
  const what = m.unavailable.length
    ? `unavailable on ${m.unavailable.length === 1 ? 'its only result' : `all ${m.unavailable.length} results`} ` +
      `(${clip(m.unavailable[0]!.diagnosis, 120)})`
    : 'no result';
  if (!w) return { ...base, status: 'fail', reason: `${base.label}: ${what}; ${run}` };
  const expired = today > w.expires;
  const waiver = { reason: w.reason, expires: w.expires, expired };
  return expired
    ? { ...base, waiver, status: 'fail', reason: `${base.label}: ${what} (waiver expired ${w.expires}: '${w.reason}')` }
    : { ...base, waiver, status: 'waived', reason: `${base.label}: ${what} (waived until ${w.expires}: '${w.reason}')` };
}

const sum = (rs: GateResult[], f: (r: GateResult) => number) => rs.reduce((n, r) => n + f(r), 0);
const over = (judged: GateResult[]) => (judged.length > 1 ? ` over ${judged.length} results` : '');
const notCounted = (m: Matched) => (m.unavailable.length ? `; ${plural(m.unavailable.length, 'unavailable result')} not counted` : '');
const firstFailure = (judged: GateResult[]) => {
  const r = judged.find((x) => x.failures > 0);
  return r ? `; e.g. ${r.file}${r.died ? ` (died: ${r.died})` : ''}: ${clip(r.diagnosis)}` : '';
};
// How the program died of a crash signal, in the run's own words, each word once: "silent", "own-handler-reraised, silent".
const diedWords = (judged: GateResult[]): string[] => [...new Set(judged.flatMap((r) => r.died?.split(' | ') ?? []))].sort();
const diedText = (words: string[]) => (words.length ? `; died: ${words.join(', ')}` : '');

function judgeRequirement(policy: Policy, req: Requirement, results: GateResult[], today: string): GateLine {
  const label = `${req.scenario} on ${req.platform}/${req.rig}${req.target ? ` (${req.target})` : ''}`;
  const m = split(results);
  const failed = sum(m.judged, (r) => r.failures);
  const runs = sum(m.judged, (r) => r.runs);
  const base = { kind: 'requirement' as const, label, scenario: req.scenario, platform: req.platform, rig: req.rig, failed, runs };
  const files = results.map((r) => r.file);
  if (!m.judged.length || runs === 0) {
    const run = `run: pnpm scenario ${req.scenario} --repeat ${req.minRepetitions} on a ${req.platform} runner with --rig ${req.rig}`;
    return nothingJudged({ ...base, results: files }, m, waiverFor(policy, req.scenario, req.platform, req.rig), today, run);
  }
  const upper = clopperPearsonUpper(failed, runs);
  const d = decimals(req.maxFailureRate);
  const limit = `${pctUp(req.maxFailureRate, d)}%`;
  const figures = `${failed} of ${runs} failed${over(m.judged)}, failure rate below ${pctUp(upper, d)}% at 95%`;
  const policyText = `(policy: at most ${limit}, at least ${plural(req.minRepetitions, 'run')})`;
  const problems: string[] = [];
  if (runs < req.minRepetitions) problems.push(`only ${plural(runs, 'run')}, fewer than the ${req.minRepetitions} the policy asks`);
  if (upper > req.maxFailureRate) problems.push(`the bound is above ${limit}`);
  const died = diedWords(m.judged);
  const line = { ...base, upperBound95: upper, results: files, ...(died.length && { died }) };
  if (!problems.length) return { ...line, status: 'ship', reason: `${label}: ${figures} ${policyText}${diedText(died)}${notCounted(m)}` };
  return {
    ...line,
    status: 'fail',
    reason: `${label}: ${figures}: ${problems.join(', and ')} ${policyText}${diedText(died)}${notCounted(m)}${firstFailure(m.judged)}`,
  };
}

function judgeProof(policy: Policy, p: BugSwitchProof, results: GateResult[], today: string): GateLine {
  const label = `${p.scenario} --bug ${p.bug} on ${p.platform}/${p.rig}${p.target ? ` (${p.target})` : ''}`;
  const m = split(results);
  const runs = sum(m.judged, (r) => r.runs);
  const caught = sum(m.judged, (r) => r.failures);
  const base = { kind: 'bug-switch-proof' as const, label, scenario: p.scenario, platform: p.platform, rig: p.rig, bug: p.bug };
  const died = diedWords(m.judged);
  const line = { ...base, failed: caught, runs, results: results.map((r) => r.file), ...(died.length && { died }) };
  if (!m.judged.length || runs === 0) {
    const run = `run: pnpm scenario ${p.scenario} --bug ${p.bug} on a ${p.platform} runner with --rig ${p.rig}`;
    return nothingJudged(line, m, waiverFor(policy, p.scenario, p.platform, p.rig), today, run);
  }
  const figures = `caught ${caught} of ${runs}${over(m.judged)}${diedText(died)}`;
  const problems: string[] = [];
  if (caught < runs) {
    const passed = m.judged.find((r) => r.failures < r.runs)!;
    problems.push(
      `${plural(runs - caught, 'repetition')} passed with the bug switched on: the scenario no longer catches the bug it guards ` +
        `against (it has lost its power; see ${passed.file})`,
    );
  }
  if (runs < p.minRepetitions) problems.push(`only ${plural(runs, 'run')}, fewer than the ${p.minRepetitions} the policy asks`);
  if (!problems.length) return { ...line, status: 'ship', reason: `${label}: ${figures}${notCounted(m)}` };
  return { ...line, status: 'fail', reason: `${label}: ${figures}: ${problems.join('; and ')}${notCounted(m)}` };
}

const same = (r: GateResult, x: { scenario: string; platform: string; rig: string; target?: string | undefined }) =>
  r.scenario === x.scenario && r.os === x.platform && r.rig === x.rig && (x.target === undefined || r.target === x.target);

// today: YYYY-MM-DD (UTC). A waiver holds through its expiry day.
export function applyPolicy(policy: Policy, set: ResultSet, today: string): GateReport {
  const used = new Set<GateResult>();
  const take = (rs: GateResult[]) => (rs.forEach((r) => used.add(r)), rs);
  const lines: GateLine[] = [
    ...policy.requirements.map((req) =>
      judgeRequirement(policy, req, take(set.results.filter((r) => same(r, req) && r.bugs.length === 0)), today),
    ),
    ...policy.bugSwitchProofs.map((p) =>
      judgeProof(policy, p, take(set.results.filter((r) => same(r, p) && bugKey(r.bugs) === bugKey(p.bug))), today),
    ),
  ];
  const failed = lines.filter((l) => l.status === 'fail').map((l) => l.label);
  return {
    verdict: failed.length ? 'do-not-ship' : 'ship',
    today,
    lines,
    failed,
    results: set.results.length,
    sources: set.sources,
    unmatched: set.results.filter((r) => !used.has(r)).map((r) => r.file),
    duplicates: set.duplicates,
  };
}
