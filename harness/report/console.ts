// The human report printed at the end of a run: what an engineer reads first at 3 a.m.
import type { CheckVerdict } from '../check/check.ts';
import type { Summary } from './summary.ts';

const MARK: Record<CheckVerdict, string> = { pass: 'ok  ', fail: 'FAIL' };

const fmt = (v: number | string | null, unit: string) => (v === null ? '-' : `${v}${unit && typeof v === 'number' ? ' ' + unit : ''}`);

export function renderSummary(s: Summary, dir: string): string {
  const lines: string[] = [];
  lines.push(
    `hilt ${s.scenario}: ${s.verdict.toUpperCase()}   target ${s.target}, rig ${s.rig}, seed ${s.seed}` +
      `${s.bugs.length ? `, bug switches ${s.bugs.join(',')}` : ''}, ${s.runs} run(s), ${s.failures} failed, ` +
      `${(s.durationMs / 1000).toFixed(1)} s`,
  );
  if (s.checks.length) {
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
  if (Object.keys(s.metrics).length) {
    lines.push(
      '',
      'metrics: ' +
        Object.entries(s.metrics)
          .map(([k, v]) => `${k}=${v}`)
          .join('  '),
    );
  }
  lines.push('', `verdict:   ${s.verdict}`, `diagnosis: ${s.diagnosis.replace(/\n/g, '\n           ')}`);
  lines.push(
    `evidence:  ${dir}/  (summary.json, junit.xml, allure-results/` +
      `${s.evidence.length ? ', ' + s.evidence.map((e) => e.path).join(', ') : ''})`,
  );
  return lines.join('\n');
}
