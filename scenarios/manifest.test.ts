// The catalogue against the files it names: every body exists and uses its own entry, every
// default target declares what the scenario needs, every bug switch is known to that target.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingNeeds, resolveParams } from '../harness/scenario/manifest.ts';
import { loadTargetSpec, ROOT } from '../harness/target/config.ts';
import { SCENARIO_LIST } from './manifest.ts';
import { parseScenarioArgs } from '../harness/cli/args.ts';
import { planRun } from '../harness/cli/scenario-run.ts';

describe.each(SCENARIO_LIST.map((s) => [s.name, s] as const))('%s', (name, s) => {
  it('names a body that defines it from its own entry', () => {
    const file = join(ROOT, s.file);
    expect(existsSync(file), file).toBe(true);
    const key = /^\w+$/.test(name) ? `SCENARIOS.${name}` : `SCENARIOS['${name}']`;
    expect(readFileSync(file, 'utf8')).toContain(key);
  });

  it('has defaults that pass its own parameter check', () => {
    expect(() => resolveParams(s, {})).not.toThrow();
  });

  it('has default targets that have what it needs and know its bug switches', () => {
    const files = s.targetBy ? Object.values(s.targetBy.targets) : [s.target ?? 'fixtures/targets/engine.json'];
    for (const f of files) {
      const spec = loadTargetSpec(join(ROOT, f), { output: 'x' });
      expect(missingNeeds(s.needs, spec), f).toEqual([]);
    }
    const all = files.flatMap((f) => loadTargetSpec(join(ROOT, f), { output: 'x' }).bugSwitches);
    for (const b of s.bugs.flatMap((b) => b.split(','))) expect(all, `${name} --bug ${b}`).toContain(b);
  });
});

// hilt on macOS, planned here (nothing starts): the black boxes' default targets are programs of the
// Mac's own, and a target built for Linux is refused before anything starts.
describe('planning on macOS', () => {
  const out = mkdtempSync(join(tmpdir(), 'hilt-plan-test-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const plan = (argv: string[]) => planRun(parseScenarioArgs([...argv, '--out', out]), SCENARIO_LIST, 'darwin');
  it.each([
    ['kill9', 'mac-sox-play.json'],
    ['sigterm', 'mac-sox-play.json'],
    ['sigint', 'mac-sox-play.json'],
    ['crash', 'mac-sox-play.json'],
    ['stop', 'mac-sox-play.json'],
    ['exit', 'mac-sox-exits.json'],
  ])('%s defaults to fixtures/targets/%s', (scenario, file) => {
    expect(plan([scenario]).target).toBe(join(ROOT, 'fixtures/targets', file));
  });
  it('the reference engine, and a scenario with no black-box form, exit 2 with why and what to give instead', () => {
    expect(() => plan(['kill9', '--target', 'fixtures/targets/engine.json'])).toThrow(/is not a program hilt runs on macOS/);
    expect(() => plan(['gc-teardown'])).toThrow(/gc-teardown has no black-box form: run it on Linux/);
  });
});
