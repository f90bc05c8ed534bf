// junit.xml from summaries: one testsuite per scenario, one testcase per repetition, with the
// seed, target and bug switches as properties, so CI's test view shows each run and how to replay it.
import type { Summary } from './summary.ts';

const esc = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!).replace(/[^\t\n\r\x20-\uFFFD]/g, '');

const property = (name: string, value: string | number) => `      <property name="${esc(name)}" value="${esc(String(value))}"/>`;

function suite(s: Summary): string {
  const cases = s.repetitions.map((r) => {
    const props = [
      property('seed', r.seed),
      property('replay', `--seed ${s.seed} --only-repetition ${r.repetition}`),
      property('target', s.target),
      property('rig', s.rig),
      property('bugs', s.bugs.join(',') || 'none'),
    ];
    const body =
      r.verdict === 'fail'
        ? `\n    <failure message="${esc((r.diagnosis ?? '').slice(0, 500))}" type="${esc(r.failedChecks.join(','))}">` +
          `${esc(r.diagnosis ?? '')}</failure>`
        : '';
    return (
      `  <testcase classname="hilt.${esc(s.scenario)}" name="${esc(`${s.scenario} run ${r.repetition} (seed ${r.seed})`)}" ` +
      `time="${(r.durationMs / 1000).toFixed(3)}">\n    <properties>\n${props.join('\n')}\n    </properties>${body}\n  </testcase>`
    );
  });
  // No repetition ran (set-up failed, or unavailable): one testcase that says why.
  if (!cases.length) {
    const inner =
      s.verdict === 'unavailable'
        ? `<skipped message="${esc(s.diagnosis)}"/>`
        : `<failure message="${esc(s.diagnosis.slice(0, 500))}">${esc(s.diagnosis)}</failure>`;
    cases.push(`  <testcase classname="hilt.${esc(s.scenario)}" name="${esc(s.scenario)}" time="0">\n    ${inner}\n  </testcase>`);
  }
  const failures = s.repetitions.length ? s.failures : s.verdict === 'fail' ? 1 : 0;
  const skipped = s.verdict === 'unavailable' ? 1 : 0;
  return (
    `<testsuite name="${esc(s.scenario)}" tests="${Math.max(1, s.repetitions.length)}" failures="${failures}" ` +
    `skipped="${skipped}" time="${(s.durationMs / 1000).toFixed(3)}" timestamp="${esc(s.startedAt)}">\n${cases.join('\n')}\n</testsuite>`
  );
}

export function junitXml(summaries: Summary[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="hilt">\n${summaries.map(suite).join('\n')}\n</testsuites>\n`;
}
