// The gate's answer for people (one line per requirement, then the verdict) and for scripts (--json).
import type { GateReport, LineStatus } from './apply.ts';

const WORD: Record<LineStatus, string> = { ship: 'ship  ', fail: 'FAIL  ', waived: 'waived' };

export function formatReport(r: GateReport, policyFile: string): string {
  const sources = r.sources.length === 1 ? '1 source' : `${r.sources.length} sources`;
  const out = [`gate: ${r.results} results from ${sources}, policy ${policyFile}, today ${r.today} (UTC)`];
  for (const l of r.lines) out.push(`${WORD[l.status]} ${l.reason}`);
  if (r.unmatched.length) {
    out.push(
      `note: ${r.unmatched.length} result(s) counted for no requirement (another scenario, platform, rig, target or bug switch), ` +
        `e.g. ${r.unmatched[0]}`,
    );
  }
  if (r.duplicates.length) {
    const d = r.duplicates[0]!;
    out.push(`note: ${r.duplicates.length} result(s) met twice, counted once (the same run), e.g. ${d.file} is ${d.sameAs}`);
  }
  const n = r.lines.length;
  out.push(
    r.verdict === 'ship'
      ? 'release verdict: SHIP'
      : `release verdict: DO NOT SHIP (${r.failed.length} of ${n} requirement${n === 1 ? '' : 's'} failed: ${r.failed.join('; ')})`,
  );
  return out.join('\n');
}

export const reportJson = (r: GateReport, policyFile: string): string => JSON.stringify({ ...r, policy: policyFile }, null, 2);
