// The release policy the gate applies (docs/gate.md): which scenarios must pass where, how often, with
// which failure rate at most; which bug switches must still make their scenario fail; which missing
// platforms are tolerated until when. A zod schema, as for target configs (harness/target/schema.ts):
// the runtime check, the types and the editors' JSON Schema (schema/policy.schema.json) from one source.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { configProblems, seen, strict, text } from '../config-schema.ts';
import { HiltError } from '../errors.ts';

export const POLICY_SCHEMA_FILE = 'schema/policy.schema.json';
export const DEFAULT_POLICY = 'reports/release-policy.json';

export const PLATFORMS = ['linux', 'darwin', 'win32'] as const;
export const RIGS = ['virtual', 'system'] as const;

// What the gate needs of the scenario catalogue (scenarios/manifest.ts SCENARIO_LIST, handed in by the CLI).
export interface CatalogueEntry {
  name: string;
  bugs: readonly string[]; // bug switches under which it must fail; a comma joins switches run together
}

// A strict object whose unknown-key issue names the keys it does know.

const scenario = text('a scenario name (pnpm scenario --list)').describe('The scenario, as `pnpm scenario --list` names it.');
const platform = z
  .enum(PLATFORMS, { error: `expected one of ${PLATFORMS.join(', ')} (Node's process.platform)` })
  .describe("The OS the results must come from, as Node's process.platform names it (summary.json platform.os).");
const rig = z
  .enum(RIGS, { error: 'expected "virtual" or "system"' })
  .describe('The rig the results must come from (summary.json rig): "virtual" (a private PipeWire) or "system".');
const repetitions = (dflt: number, what: string) =>
  z
    .int({ error: 'expected a whole number of repetitions >= 1' })
    .min(1, { error: 'expected a whole number of repetitions >= 1' })
    .default(dflt)
    .describe(what);
const target = text('a target name (the "name" of a target config)')
  .optional()
  .describe('Only results of this target count (summary.json target, e.g. "hilt-engine"). Default: any target.');

// 2026-11-30, and a real day of the calendar.
const day = z
  .string({ error: 'expected a date YYYY-MM-DD' })
  .check((ctx) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ctx.value);
    const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
    if (!d || d.toISOString().slice(0, 10) !== ctx.value) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: 'expected a date YYYY-MM-DD (a real day)' });
    }
  })
  .meta({ format: 'date' });

const requirement = strict({
  scenario,
  platform,
  rig,
  target,
  minRepetitions: repetitions(
    1,
    'Repetitions needed at least, summed over every result that matches (two runners: both count). Fewer is a failure.',
  ),
  maxFailureRate: z
    .number({ error: 'expected a fraction greater than 0 and at most 1 (0.01 is 1%)' })
    .gt(0, { error: 'expected a fraction greater than 0 and at most 1 (0.01 is 1%): the bound is never 0 after finitely many runs' })
    .max(1, { error: 'expected a fraction greater than 0 and at most 1 (0.01 is 1%)' })
    .describe(
      'The largest allowed upper bound (Clopper-Pearson, 95%) of the failure rate, as a fraction (0.01 is 1%). ' +
        'The bound is computed on k failed of N repetitions summed over every matching result; above it is a failure.',
    ),
}).describe('A scenario that must pass on a platform and rig, often enough and with a low enough failure rate.');

const bugSwitchProof = strict({
  scenario,
  bug: text('a bug switch of the scenario (several joined by commas, as with --bug)').describe(
    'The bug switch (or switches joined by commas, run together) as the scenario catalogue lists it: ' +
      '`pnpm scenario <name> --help` shows them. Results must have run with exactly these switches on.',
  ),
  platform: platform.default('linux'),
  rig: rig.default('virtual'),
  target,
  minRepetitions: repetitions(1, 'Repetitions needed at least, summed over every matching result.'),
}).describe(
  'A proof that a check still has power: a result run with this bug switch must exist and have failed every repetition ' +
    '(verdict fail, k = N). A scenario that passes under its bug switch can no longer catch that bug.',
);

const waiver = strict({
  scenario,
  platform,
  rig,
  reason: text('a non-empty reason').describe('Why this is tolerated (printed with the verdict): "no macOS runner yet".'),
  expires: day.describe(
    'The last day (YYYY-MM-DD, UTC) the waiver holds. From the next day on a missing or unavailable result counts as a failure ' +
      'and the gate says the waiver expired.',
  ),
}).describe(
  'Tolerates a missing or unavailable result of a scenario on a platform and rig until a date. It never hides a result that ' +
    'failed: results that ran are judged as usual.',
);

export const policySchema = strict({
  $schema: z
    .string({ error: 'expected a string' })
    .optional()
    .describe('The JSON Schema this file follows (for editors): ../schema/policy.schema.json.'),
  $comment: z.string({ error: 'expected a string' }).optional().describe('Free text for readers; the gate ignores it.'),
  hiltVersion: text('a hilt version such as "0.1.0"')
    .optional()
    .describe('Results written by another hilt version are refused (exit 2). Default: results of any version are read.'),
  requirements: z
    .array(requirement, { error: 'expected an array of requirements' })
    .min(1, { error: 'expected at least one requirement' })
    .describe('Scenarios that must pass, each on a platform and rig.'),
  bugSwitchProofs: z
    .array(bugSwitchProof, { error: 'expected an array of bug switch proofs' })
    .default([])
    .describe('Bug switches under which their scenario must still fail every repetition.'),
  waivers: z
    .array(waiver, { error: 'expected an array of waivers' })
    .default([])
    .describe('Missing or unavailable results tolerated until a date.'),
})
  .describe('The hilt release policy: what `pnpm gate` requires of the results before it says ship.')
  .meta({ title: 'hilt release policy' });

export type Policy = z.output<typeof policySchema>;
export type Requirement = Policy['requirements'][number];
export type BugSwitchProof = Policy['bugSwitchProofs'][number];
export type Waiver = Policy['waivers'][number];

// The editor schema, exactly as schema/policy.schema.json holds it.
export const policyJsonSchemaText = (): string =>
  `${JSON.stringify(z.toJSONSchema(policySchema, { target: 'draft-2020-12', io: 'input' }), null, 2)}\n`;

const HINT = `see docs/gate.md, ${POLICY_SCHEMA_FILE} (editors check a policy whose "$schema" names it) and ${DEFAULT_POLICY}`;

const invalid = (file: string, problems: string[]): never => {
  const n = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  throw new HiltError('GATE_INPUT', `policy ${file} is invalid (${n}):\n${problems.map((p) => `  - ${p}`).join('\n')}`, { hint: HINT });
};

// A bug switch set, order-free: "no-sweep,no-guardian" is "no-guardian,no-sweep".
export const bugKey = (bugs: string | readonly string[]): string =>
  [...new Set((typeof bugs === 'string' ? bugs.split(',') : bugs).map((b) => b.trim()).filter(Boolean))].sort().join(',');

// Checked against the catalogue: every scenario must exist and every bug switch be one it lists.
export function catalogueProblems(p: Policy, catalogue: readonly CatalogueEntry[]): string[] {
  const byName = new Map(catalogue.map((c) => [c.name, c]));
  const known = catalogue.map((c) => c.name).join(', ');
  const problems: string[] = [];
  const sections = [
    ['requirements', p.requirements],
    ['bugSwitchProofs', p.bugSwitchProofs],
    ['waivers', p.waivers],
  ] as const;
  for (const [section, entries] of sections) {
    entries.forEach((e, i) => {
      const entry = byName.get(e.scenario);
      if (!entry) {
        problems.push(`${section}[${i}].scenario: unknown scenario ${JSON.stringify(e.scenario)} (known: ${known})`);
        return;
      }
      if (section !== 'bugSwitchProofs') return;
      const bug = (e as BugSwitchProof).bug;
      if (!entry.bugs.some((b) => bugKey(b) === bugKey(bug))) {
        const listed = entry.bugs.length ? entry.bugs.join(' | ') : 'none';
        problems.push(`${section}[${i}].bug: ${e.scenario} has no bug switch ${JSON.stringify(bug)} (its bug switches: ${listed})`);
      }
    });
  }
  return problems;
}

// Parses and checks a policy; every problem is listed with where it is, what was expected and what was seen.
export function parsePolicy(json: unknown, file: string, catalogue: readonly CatalogueEntry[]): Policy {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    invalid(file, [`(top level): expected an object, seen ${seen(json)}`]);
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) invalid(file, configProblems(parsed.error.issues, json));
  const problems = catalogueProblems(parsed.data!, catalogue);
  if (problems.length) invalid(file, problems);
  return parsed.data!;
}

export function loadPolicy(file: string, catalogue: readonly CatalogueEntry[]): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new HiltError('GATE_INPUT', `policy ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      hint: `pass --policy <file>, or run from the project root where ${DEFAULT_POLICY} is; ${HINT}`,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HiltError('GATE_INPUT', `policy ${file} is not valid JSON: ${(e as Error).message}`, { hint: HINT });
  }
  return parsePolicy(json, file, catalogue);
}
