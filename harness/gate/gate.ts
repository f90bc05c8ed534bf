// The gate end to end, without the command line: load the policy (checked against the catalogue),
// read every result, refuse another hilt version, judge. Any input it cannot trust throws GATE_INPUT.
import { applyPolicy, checkVersions, type GateReport } from './apply.ts';
import { loadPolicy, type CatalogueEntry } from './policy.ts';
import { readResults } from './results.ts';

export interface GateInput {
  policyFile: string;
  sources: readonly string[]; // results folders, .zip or .tar.gz archives, summary.json files
  catalogue: readonly CatalogueEntry[];
  today?: string; // YYYY-MM-DD (UTC); default: today
}

export const utcToday = (now = new Date()): string => now.toISOString().slice(0, 10);

export function gate(input: GateInput): GateReport {
  const policy = loadPolicy(input.policyFile, input.catalogue);
  const set = readResults(input.sources);
  checkVersions(policy, set);
  return applyPolicy(policy, set, input.today ?? utcToday());
}
