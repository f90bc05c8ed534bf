import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HiltError } from '../errors.ts';
import { DEFAULT_TARGET, loadTargetSpec, parseTargetSpec, ROOT } from './config.ts';

const ENGINE_FILE = resolve(ROOT, 'fixtures/targets/engine.json');
const engineJson = () => JSON.parse(readFileSync(ENGINE_FILE, 'utf8')) as Record<string, unknown>;
const VARS = { root: '/r', output: 'x' };

// The HiltError thrown, or a failure if nothing is thrown.
const configError = (fn: () => unknown): HiltError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HiltError);
    expect((e as HiltError).code).toBe('TARGET_CONFIG');
    return e as HiltError;
  }
  throw new Error('expected a TARGET_CONFIG error');
};

const without = (key: string) => {
  const j = engineJson();
  delete j[key];
  return j;
};

describe('parseTargetSpec on the real engine.json', () => {
  it('substitutes ${root} and ${output} and reads every field', () => {
    const spec = parseTargetSpec(engineJson(), 'engine.json', VARS);
    expect(spec.name).toBe('hilt-engine');
    expect(spec.file).toBe('engine.json');
    expect(spec.command).toEqual(['/r/native/build/Release/hilt-engine', '--output', 'x']);
    expect(spec.build).toBe('pnpm build:native');
    expect(spec.env).toEqual({});
    expect(spec.prefix).toBe('hilt-engine');
    expect(spec.ready.deadlineMs).toBe(3000);
    expect(spec.stop).toEqual({ method: 'signal', signal: 'SIGTERM', deadlineMs: 2000 });
    expect(spec.bugSwitchEnv).toBe('HILT_ENGINE_BUG');
    expect(spec.bugSwitches).toEqual(['no-sweep', 'no-crashguard', 'no-signal-handlers', 'no-guardian', 'destroy-before-untrack', 'init-on-callback-thread', 'fork-keeps-midi']);
  });

  it('has a ready regex that matches the engine readiness line and not others', () => {
    const { ready } = parseTargetSpec(engineJson(), 'engine.json', VARS);
    expect(ready.stdout.test('hilt-engine[12] +3.0ms ready tap=hilt-engine-12 output=x')).toBe(true);
    expect(ready.stdout.test('hilt-engine[12] +1.0ms starting tap=hilt-engine-12')).toBe(false);
    expect(ready.stdout.test('hilt-engine[12] +1.0ms already running')).toBe(false);
  });

  it('leaves unknown ${vars} as they are and substitutes in env', () => {
    const j = { ...engineJson(), command: ['${root}/bin', '${nope}'], env: { OUT: '${output}', N: 3 } };
    const spec = parseTargetSpec(j, 'f', VARS);
    expect(spec.command).toEqual(['/r/bin', '${nope}']);
    expect(spec.env).toEqual({ OUT: 'x', N: '3' });
  });

  it('fills defaults for optional fields', () => {
    const spec = parseTargetSpec({ name: 'n', command: ['c'], prefix: 'p', ready: { stdout: 'up' } }, 'f', {});
    expect(spec.ready.deadlineMs).toBe(5000);
    expect(spec.stop).toEqual({ method: 'signal', signal: 'SIGTERM', deadlineMs: 5000 });
    expect(spec.build).toBeUndefined();
    expect(spec.bugSwitchEnv).toBeUndefined();
    expect(spec.bugSwitches).toEqual([]);
    expect(spec.env).toEqual({});
  });

  it('accepts stop.method stdin-close', () => {
    const j = { ...engineJson(), stop: { method: 'stdin-close' } };
    expect(parseTargetSpec(j, 'f', VARS).stop.method).toBe('stdin-close');
  });
});

describe('parseTargetSpec: invalid configs', () => {
  it('names the missing field: name, command, prefix, ready', () => {
    expect(configError(() => parseTargetSpec(without('name'), 'f.json', VARS)).message).toMatch(/f\.json is invalid: "name"/);
    expect(configError(() => parseTargetSpec(without('command'), 'f.json', VARS)).message).toMatch(/"command"/);
    expect(configError(() => parseTargetSpec(without('prefix'), 'f.json', VARS)).message).toMatch(/"prefix"/);
    expect(configError(() => parseTargetSpec(without('ready'), 'f.json', VARS)).message).toMatch(/"ready\.stdout"/);
  });

  it('rejects empty or mistyped required fields', () => {
    expect(configError(() => parseTargetSpec({ ...engineJson(), name: '' }, 'f', VARS)).message).toMatch(/"name"/);
    expect(configError(() => parseTargetSpec({ ...engineJson(), command: [] }, 'f', VARS)).message).toMatch(/"command"/);
    expect(configError(() => parseTargetSpec({ ...engineJson(), command: ['a', 1] }, 'f', VARS)).message).toMatch(/"command"/);
    expect(configError(() => parseTargetSpec({ ...engineJson(), command: 'a b' }, 'f', VARS)).message).toMatch(/"command"/);
    expect(configError(() => parseTargetSpec({ ...engineJson(), prefix: '' }, 'f', VARS)).message).toMatch(/"prefix"/);
    expect(configError(() => parseTargetSpec({ ...engineJson(), ready: { stdout: 5 } }, 'f', VARS)).message).toMatch(/"ready\.stdout"/);
  });

  it('rejects a ready.stdout that is not a valid regex', () => {
    expect(configError(() => parseTargetSpec({ ...engineJson(), ready: { stdout: 'ready(' } }, 'f', VARS)).message).toMatch(
      /"ready\.stdout" is not a valid regex/,
    );
  });

  it('rejects a bad stop.method', () => {
    const e = configError(() => parseTargetSpec({ ...engineJson(), stop: { method: 'kill' } }, 'f', VARS));
    expect(e.message).toMatch(/"stop\.method" must be "signal" or "stdin-close"/);
  });

  it('rejects a non-object', () => {
    expect(configError(() => parseTargetSpec(null, 'f', VARS)).message).toMatch(/not a JSON object/);
    expect(configError(() => parseTargetSpec('x', 'f', VARS)).message).toMatch(/not a JSON object/);
  });

  it('points at the example config', () => {
    expect(configError(() => parseTargetSpec(without('name'), 'f', VARS)).hint).toMatch(/engine\.json/);
  });
});

describe('loadTargetSpec', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilt-config-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the default target with ${root} set to the project root', () => {
    expect(DEFAULT_TARGET).toBe(ENGINE_FILE);
    const spec = loadTargetSpec(DEFAULT_TARGET, { output: 'hilt-observed' });
    expect(spec.file).toBe(DEFAULT_TARGET);
    expect(spec.command).toEqual([`${ROOT}/native/build/Release/hilt-engine`, '--output', 'hilt-observed']);
  });

  it('gives TARGET_CONFIG for a missing file, naming it', () => {
    const missing = join(dir, 'no-such-target.json');
    const e = configError(() => loadTargetSpec(missing, {}));
    expect(e.message).toContain(missing);
    expect(e.message).toMatch(/cannot be read/);
  });

  it('gives TARGET_CONFIG for a file that is not JSON', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "name": ');
    expect(configError(() => loadTargetSpec(file, {})).message).toMatch(/broken\.json is invalid: not JSON/);
  });
});
