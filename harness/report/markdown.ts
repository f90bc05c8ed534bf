// summary.md: one page for a release ticket or a CI step summary: each scenario's verdict, its
// failure rate with the bound, the diagnosis, and links to the evidence.
import { describeRuns } from './stats.ts';
import type { Summary } from './summary.ts';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
const VERDICT: Record<Summary['verdict'], string> = { pass: 'pass', flaky: '**FLAKY**', fail: '**FAIL**', unavailable: 'unavailable' };

// `dirOf(s)`: the summary's folder relative to summary.md, for the evidence links.
export function summaryMarkdown(summaries: Summary[], dirOf: (s: Summary) => string): string {
  const lines = [
    '# hilt results',
    '',
    '| scenario | target | rig | bug switches | verdict | runs | diagnosis |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of summaries) {
    const rate = s.runs ? describeRuns(s) : 'no run';
    const diagnosis = s.diagnosis.length > 400 ? s.diagnosis.slice(0, 397) + '...' : s.diagnosis;
    const row = [cell(s.scenario), cell(s.target), s.rig, cell(s.bugs.join(',') || 'none'), VERDICT[s.verdict], rate, cell(diagnosis)];
    lines.push(`| ${row.join(' | ')} |`);
  }
  const first = summaries[0];
  if (first) {
    const server = first.platform.audioServer ? `, ${first.platform.audioServer.name} ${first.platform.audioServer.version}` : '';
    lines.push('', `hilt ${first.hiltVersion} on ${first.platform.os} ${first.platform.kernel} (${first.platform.cpus} CPUs${server}).`);
  }
  for (const s of summaries) {
    const dir = dirOf(s);
    const link = (p: string) => (dir ? `${dir}/${p}` : p);
    const ev = [{ name: 'summary', path: 'summary.json' }, ...s.evidence].map((e) => `[${e.name}](${link(e.path)})`);
    lines.push('', `## ${s.scenario}: ${s.verdict}`, '', `Seed ${s.seed}. Evidence: ${ev.join(', ')}.`);
    // A crash of a black box: how it died of the signal, in the words of the exit check and the gate.
    if (s.facts.died) lines.push('', `Died: \`${s.facts.died}\`${s.facts['how it died'] ? `: ${cell(s.facts['how it died'])}` : ''}.`);
    const failed = s.repetitions.filter((r) => r.verdict === 'fail').slice(0, 5);
    for (const r of failed)
      lines.push(`- run ${r.repetition} (replay: \`--seed ${s.seed} --only-repetition ${r.repetition}\`): ${cell(r.diagnosis ?? '')}`);
  }
  return lines.join('\n') + '\n';
}
