// The addon's contract without a rig: construction errors, idempotent close, use after close,
// and a start against no audio server that fails with the reason instead of hanging.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { EngineNotBuilt, loadEngineAddon } from './engine.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)); // native/lib takes nothing from harness/

describe('engine addon', () => {
  const addon = loadEngineAddon();

  test('lists its bug switches, the same ones its target config offers to --bug', () => {
    const spec = JSON.parse(readFileSync(join(ROOT, 'fixtures/targets/engine.json'), 'utf8')) as { bugSwitches: string[] };
    expect(addon.bugSwitches()).toEqual(expect.arrayContaining(spec.bugSwitches));
  });

  test('constructor demands an output sink', () => {
    expect(() => new addon.Engine({} as never)).toThrow(/options.output must be the name of a sink/);
    expect(() => new (addon.Engine as unknown as new () => unknown)()).toThrow(/options \{ output: string \} is required/);
  });

  test('close() is idempotent and start() after close() throws', () => {
    const e = new addon.Engine({ output: 'nowhere' });
    e.close();
    e.close();
    expect(e.closed).toBe(true);
    expect(() => e.start()).toThrow(/Engine.start\(\) called after close\(\)/);
  });

  test('start() with no audio server fails with the reason', () => {
    const saved = process.env.PULSE_SERVER;
    process.env.PULSE_SERVER = 'unix:/nonexistent/hilt-test/native';
    try {
      const e = new addon.Engine({ output: 'nowhere' });
      expect(() => e.start()).toThrow(/Engine.start\(\) failed: cannot connect to the audio server/);
      expect(e.tapName).toBeNull();
      e.close();
    } finally {
      if (saved === undefined) delete process.env.PULSE_SERVER;
      else process.env.PULSE_SERVER = saved;
    }
  });

  test('a missing build is ENGINE_NOT_BUILT with the build command', () => {
    try {
      loadEngineAddon('/nonexistent/hilt_engine.node');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EngineNotBuilt);
      expect((e as EngineNotBuilt).code).toBe('ENGINE_NOT_BUILT');
      expect((e as Error).message).toMatch(/pnpm build:native/);
    }
  });
});
