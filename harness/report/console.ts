// The human report printed at the end of a run: what an engineer reads first at 3 a.m.
import type { CheckVerdict } from '../check/check.ts';
import { describeRuns, quantile } from './stats.ts';
import type { Summary } from './summary.ts';

// Many runs: each check once, with how many runs it failed in, and every failed run's seed.
function repeatedChecks(s: Summary): string[] {
  const byId = new Map<string, { name: string; failed: number }>();
  for (const c of s.checks) {
    const e = byId.get(c.id) ?? { name: c.name.replace(/ \[run \d+\]$/, ''), failed: 0 };
    if (c.verdict === 'fail') e.failed++;
    byId.set(c.id, e);
  }
  const w = Math.max(...[...byId.values()].map((e) => e.name.length));
  const out = ['checks:'];
  for (const e of byId.values())
    out.push(`  ${e.failed ? 'FAIL' : 'ok  '} ${e.name.padEnd(w)}  ${e.failed ? `failed in ${e.failed} run(s)` : 'passed in every run'}`);
  const failed = s.repetitions.filter((r) => r.verdict === 'fail');
  if (failed.length) {
    out.push('', 'failed runs (replay one: --seed <run seed> --only-repetition <run>):');
    for (const r of failed.slice(0, 20)) out.push(`  run ${r.repetition} (seed ${r.seed}): ${(r.diagnosis ?? '').slice(0, 200)}`);
    if (failed.length > 20) out.push(`  ... and ${failed.length - 20} more in summary.json (repetitions)`);
  }
  return out;
}

const MARK: Record<CheckVerdict, string> = { pass: 'ok  ', fail: 'FAIL' };

const fmt = (v: number | string | null, unit: string) => (v === null ? '-' : `${v}${unit && typeof v === 'number' ? ' ' + unit : ''}`);

// A failing run waits out its deadlines, so it costs more than a pass: say how much, and where.
export function whereTimeWent(s: Pick<Summary, 'repetitions' | 'phases'>): string {
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const p50 = (v: 'pass' | 'fail') => {
    const xs = s.repetitions.filter((r) => r.verdict === v).map((r) => r.durationMs);
    return xs.length ? `${v} p50 ${secs(quantile(xs, 0.5))} (${xs.length})` : undefined;
  };
  const failed = new Set(s.repetitions.filter((r) => r.verdict === 'fail').map((r) => r.repetition));
  const byPhase = new Map<string, number[]>();
  for (const p of s.phases.filter((x) => failed.has(x.repetition))) byPhase.set(p.name, [...(byPhase.get(p.name) ?? []), p.ms]);
  const longest = [...byPhase]
    .map(([name, ms]) => [name, quantile(ms, 0.5)] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, ms]) => `${name} ${secs(ms)}`);
  const per = [p50('pass'), p50('fail')].filter(Boolean).join(', ');
  return `a run takes ${per}` + (longest.length ? `; a failed run's longest phases (p50): ${longest.join(', ')}` : '');
}

export function renderSummary(s: Summary, dir: string): string {
  const lines: string[] = [];
  lines.push(
    `hilt ${s.scenario}: ${s.verdict.toUpperCase()}   target ${s.target}, rig ${s.rig}, seed ${s.seed}` +
      `${s.bugs.length ? `, bug switches ${s.bugs.join(',')}` : ''}, ${s.runs} run(s), ${s.failures} failed, ` +
      `${(s.durationMs / 1000).toFixed(1)} s`,
  );
  if (s.runs > 1) lines.push('', ...repeatedChecks(s));
  else if (s.checks.length) {
    const w = Math.max(...s.checks.map((c) => c.name.length));
    lines.push('', 'checks:');
    for (const c of s.checks) {
      const ml = c.limit === null ? '' : `  [${fmt(c.measured, c.unit)} vs ${fmt(c.limit, c.unit)}]`;
      lines.push(`  ${MARK[c.verdict]} ${c.name.padEnd(w)}${ml}`);
      if (c.verdict === 'fail') lines.push(`       ${c.message.replace(/\n/g, '\n       ')}`);
    }
  }
  if (Object.keys(s.facts ?? {}).length) {
    lines.push('', ...Object.entries(s.facts).map(([k, v]) => `${k}: ${v}`));
  }
  if (s.runs > 1 && Object.keys(s.metricStats).length) {
    lines.push('', 'metrics over the runs (p50 / p95 / max):');
    const w = Math.max(...Object.keys(s.metricStats).map((k) => k.length));
    for (const [k, m] of Object.entries(s.metricStats)) lines.push(`  ${k.padEnd(w)}  ${m.p50} / ${m.p95} / ${m.max}  (n=${m.n})`);
  } else if (Object.keys(s.metrics).length) {
    lines.push(
      '',
      'metrics: ' +
        Object.entries(s.metrics)
          .map(([k, v]) => `${k}=${v}`)
          .join('  '),
    );
  }
  lines.push('', `verdict:   ${s.verdict}`);
  if (s.runs > 1) lines.push(`runs:      ${describeRuns(s)}`, `time:      ${whereTimeWent(s)}`);
  lines.push(`diagnosis: ${s.diagnosis.replace(/\n/g, '\n           ')}`);
  lines.push(
    `evidence:  ${dir}/  (summary.json, junit.xml, allure-results/` +
      `${s.evidence.length ? ', ' + s.evidence.map((e) => e.path).join(', ') : ''})`,
  );
  return lines.join('\n');
}
