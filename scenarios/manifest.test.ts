// The catalogue against the files it names: every body exists and uses its own entry, every
// default target declares what the scenario needs, every bug switch is known to that target.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingNeeds, resolveParams } from '../harness/scenario/manifest.ts';
import { loadTargetSpec, ROOT } from '../harness/target/config.ts';
import { SCENARIO_LIST } from './manifest.ts';

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
