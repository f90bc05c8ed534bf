import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isHiltError } from '../errors.ts';
import { ROOT } from '../target/config.ts';
import { CATALOGUE } from './fixtures.ts';
import { bugKey, DEFAULT_POLICY, loadPolicy, parsePolicy, POLICY_SCHEMA_FILE, policyJsonSchemaText, policySchema } from './policy.ts';

const minimal = () => ({ requirements: [{ scenario: 'kill9', platform: 'linux', rig: 'virtual', maxFailureRate: 0.01 }] });

const problem = (json: unknown): string => {
  try {
    parsePolicy(json, 'p.json', CATALOGUE);
  } catch (e) {
    expect(isHiltError(e, 'GATE_INPUT')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected the policy to be refused');
};

describe('schema/policy.schema.json', () => {
  it('is what the generator makes from the zod schema', () => {
    let committed = '';
    try {
      committed = readFileSync(resolve(ROOT, POLICY_SCHEMA_FILE), 'utf8');
    } catch {
      // missing: fails below with the same advice
    }
    expect(
      committed === policyJsonSchemaText(),
      `${POLICY_SCHEMA_FILE} is stale or missing: run \`node --import tsx harness/gate/write-schema.ts\` and commit it`,
    ).toBe(true);
  });

  it('rejects unknown keys and describes every field', () => {
    const schema = JSON.parse(policyJsonSchemaText()) as {
      additionalProperties: boolean;
      properties: Record<string, { description?: string }>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(Object.keys(policySchema.shape));
    for (const [key, prop] of Object.entries(schema.properties)) expect(prop.description, key).toBeTruthy();
  });
});

describe('the policy', () => {
  it("the project's own policy is valid and names the schema", () => {
    const p = loadPolicy(resolve(ROOT, DEFAULT_POLICY), CATALOGUE);
    expect(p.requirements.length).toBeGreaterThan(3);
    expect(p.bugSwitchProofs.map((b) => `${b.scenario} ${b.bug}`)).toContain('kill9 no-guardian,no-sweep');
    expect(p.waivers.every((w) => w.reason && /^\d{4}-\d{2}-\d{2}$/.test(w.expires))).toBe(true);
    expect((JSON.parse(readFileSync(resolve(ROOT, DEFAULT_POLICY), 'utf8')) as { $schema: string }).$schema).toBe(
      '../schema/policy.schema.json',
    );
  });

  it('fills the defaults', () => {
    const p = parsePolicy({ ...minimal(), bugSwitchProofs: [{ scenario: 'kill9', bug: 'no-sweep,no-guardian' }] }, 'p.json', CATALOGUE);
    expect(p.requirements[0]!.minRepetitions).toBe(1);
    expect(p.bugSwitchProofs[0]).toEqual({
      scenario: 'kill9',
      bug: 'no-sweep,no-guardian',
      platform: 'linux',
      rig: 'virtual',
      minRepetitions: 1,
    });
    expect(p.waivers).toEqual([]);
  });

  it('rejects an unknown key, listing the known ones', () => {
    expect(problem({ ...minimal(), waiver: [] })).toMatch(
      new RegExp(
        'p\\.json is invalid \\(1 problem\\):\n {2}- waiver: unknown key ' +
          '\\(known keys: \\$schema, \\$comment, hiltVersion, requirements, bugSwitchProofs, waivers\\)',
      ),
    );
    expect(problem({ requirements: [{ ...minimal().requirements[0], maxFailRate: 1 }] })).toMatch(
      /- requirements\[0\]\.maxFailRate: unknown key \(known keys: scenario, platform, rig, target, minRepetitions, maxFailureRate\)/,
    );
  });

  it('lists every problem with its path, what was expected and what was seen', () => {
    const m = problem({
      requirements: [{ scenario: 'kill9', platform: 'macos', rig: 'virtual', minRepetitions: 0, maxFailureRate: 1.5 }],
      waivers: [{ scenario: 'kill9', platform: 'darwin', rig: 'system', reason: '', expires: '2026-02-30' }],
    });
    expect(m).toMatch(/invalid \(5 problems\)/);
    expect(m).toMatch(/- requirements\[0\]\.platform: expected one of linux, darwin, win32 .*, seen "macos"/);
    expect(m).toMatch(/- requirements\[0\]\.minRepetitions: expected a whole number of repetitions >= 1, seen 0/);
    expect(m).toMatch(/- requirements\[0\]\.maxFailureRate: expected a fraction greater than 0 and at most 1 \(0\.01 is 1%\), seen 1\.5/);
    expect(m).toMatch(/- waivers\[0\]\.reason: expected a non-empty reason, seen ""/);
    expect(m).toMatch(/- waivers\[0\]\.expires: expected a date YYYY-MM-DD \(a real day\), seen "2026-02-30"/);
    expect(problem({})).toMatch(/- requirements: expected an array of requirements, seen nothing \(the field is missing\)/);
    expect(problem({ requirements: [] })).toMatch(/- requirements: expected at least one requirement, seen \[\]/);
    expect(problem({ requirements: [{ ...minimal().requirements[0], maxFailureRate: 0 }] })).toMatch(/the bound is never 0/);
    expect(problem([])).toMatch(/\(top level\): expected an object, seen \[\]/);
  });

  it('refuses scenarios and bug switches the catalogue does not know', () => {
    const m = problem({
      requirements: [{ scenario: 'kill-9', platform: 'linux', rig: 'virtual', maxFailureRate: 0.01 }],
      bugSwitchProofs: [
        { scenario: 'kill9', bug: 'no-guardian' },
        { scenario: 'crash', bug: 'no-crashguard' },
      ],
      waivers: [{ scenario: 'exit', platform: 'darwin', rig: 'system', reason: 'r', expires: '2027-01-01' }],
    });
    expect(m).toMatch(/invalid \(3 problems\)/);
    expect(m).toMatch(/- requirements\[0\]\.scenario: unknown scenario "kill-9" \(known: kill9, crash, sigterm, stop\)/);
    expect(m).toMatch(/- bugSwitchProofs\[0\]\.bug: kill9 has no bug switch "no-guardian" \(its bug switches: no-guardian,no-sweep\)/);
    expect(m).toMatch(/- waivers\[0\]\.scenario: unknown scenario "exit"/);
  });

  it('says why a file cannot be used', () => {
    expect(() => loadPolicy('/nonexistent/policy.json', CATALOGUE)).toThrow(/policy \/nonexistent\/policy\.json cannot be read \(ENOENT\)/);
    expect(() => loadPolicy(resolve(ROOT, 'package.json'), CATALOGUE)).toThrow(/- name: unknown key/);
  });

  it('compares bug switch sets in any order', () => {
    expect(bugKey('no-sweep, no-guardian')).toBe('no-guardian,no-sweep');
    expect(bugKey(['no-guardian', 'no-sweep'])).toBe('no-guardian,no-sweep');
    expect(bugKey([])).toBe('');
  });
});
