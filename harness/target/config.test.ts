import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    expect(spec.bugSwitches).toEqual([
      'no-sweep',
      'no-crashguard',
      'no-altstack',
      'guard-allocates',
      'second-crash-kills',
      'terminate-exits',
      'no-signal-handlers',
      'no-guardian',
      'guardian-in-group',
      'ignore-guardian-death',
      'retap-on-thaw',
      'no-reconnect',
      'destroy-before-untrack',
      'init-on-callback-thread',
      'fork-keeps-midi',
    ]);
  });

  it('has a ready regex that matches the engine readiness line and not others', () => {
    const { ready } = parseTargetSpec(engineJson(), 'engine.json', VARS);
    expect(ready.stdout!.test('hilt-engine[12] +3.0ms ready tap=hilt-engine-12 output=x')).toBe(true);
    expect(ready.stdout!.test('hilt-engine[12] +1.0ms starting tap=hilt-engine-12')).toBe(false);
    expect(ready.stdout!.test('hilt-engine[12] +1.0ms already running')).toBe(false);
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
    expect(configError(() => parseTargetSpec(without('name'), 'f.json', VARS)).message).toMatch(
      /f\.json is invalid \(1 problem\):\n {2}- name: expected a non-empty string, seen nothing/,
    );
    expect(configError(() => parseTargetSpec(without('command'), 'f.json', VARS)).message).toMatch(/- command: /);
    expect(configError(() => parseTargetSpec(without('prefix'), 'f.json', VARS)).message).toMatch(/- prefix: /);
    expect(configError(() => parseTargetSpec(without('ready'), 'f.json', VARS)).message).toMatch(/- ready: expected an object/);
  });

  it('rejects empty or mistyped required fields', () => {
    expect(configError(() => parseTargetSpec({ ...engineJson(), name: '' }, 'f', VARS)).message).toMatch(
      /- name: expected a non-empty string, seen ""/,
    );
    expect(configError(() => parseTargetSpec({ ...engineJson(), command: [] }, 'f', VARS)).message).toMatch(
      /- command: expected a non-empty array of strings, seen \[\]/,
    );
    expect(configError(() => parseTargetSpec({ ...engineJson(), command: ['a', 1] }, 'f', VARS)).message).toMatch(
      /- command\[1\]: expected a string, seen 1/,
    );
    expect(configError(() => parseTargetSpec({ ...engineJson(), command: 'a b' }, 'f', VARS)).message).toMatch(/- command: .*seen "a b"/);
    expect(configError(() => parseTargetSpec({ ...engineJson(), prefix: '' }, 'f', VARS)).message).toMatch(/- prefix: /);
    expect(configError(() => parseTargetSpec({ ...engineJson(), ready: { stdout: 5 } }, 'f', VARS)).message).toMatch(
      /- ready\.stdout: expected a regular expression \(a string\), seen 5/,
    );
  });

  it('rejects a ready.stdout that is not a valid regex, with the RegExp error', () => {
    expect(configError(() => parseTargetSpec({ ...engineJson(), ready: { stdout: 'ready(' } }, 'f', VARS)).message).toMatch(
      /- ready\.stdout: expected a valid regular expression \(Invalid regular expression: .*Unterminated group\), seen "ready\("/,
    );
  });

  it('rejects a bad controls answer regex, naming the control', () => {
    const j = { ...engineJson(), controls: { 'midi-start': { send: 'x', answer: '[a-' } } };
    expect(configError(() => parseTargetSpec(j, 'f', VARS)).message).toMatch(
      /- controls\.midi-start\.answer: expected a valid regular expression \(Invalid regular expression/,
    );
  });

  it('rejects a bad stop.method', () => {
    const e = configError(() => parseTargetSpec({ ...engineJson(), stop: { method: 'kill' } }, 'f', VARS));
    expect(e.message).toMatch(/- stop\.method: expected "signal", "stdin-close", "line", "command", "ctrl-break" or "wm-close", /);
    expect(e.message).toMatch(/"wm-close", seen "kill"/);
  });

  it('rejects an unknown key, listing the known ones', () => {
    const { ready, ...rest } = engineJson();
    const e = configError(() => parseTargetSpec({ ...rest, ready, raedy: ready }, 'f', VARS));
    expect(e.message).toContain(
      '  - raedy: unknown key (known keys: $schema, $comment, name, command, build, requires, env, cwd, ready, prefix, owns, ' +
        'expect, stop, bugSwitchEnv, bugSwitches, traits, wine, controls)',
    );
    const nested = configError(() => parseTargetSpec({ ...engineJson(), stop: { method: 'signal', sginal: 'SIGINT' } }, 'f', VARS));
    expect(nested.message).toContain('  - stop.sginal: unknown key (known keys: method, signal, line, command, deadlineMs)');
  });

  it('rejects a wrong type, showing the value seen', () => {
    const e = configError(() => parseTargetSpec({ ...engineJson(), bugSwitches: 'no-sweep' }, 'f', VARS));
    expect(e.message).toContain('  - bugSwitches: expected an array of strings, seen "no-sweep"');
    expect(configError(() => parseTargetSpec({ ...engineJson(), env: { A: null } }, 'f', VARS)).message).toContain(
      '  - env.A: expected a string',
    );
  });

  it('rejects non-positive and non-integer deadlines', () => {
    const stop = (deadlineMs: unknown) => configError(() => parseTargetSpec({ ...engineJson(), stop: { deadlineMs } }, 'f', VARS)).message;
    expect(stop(-5)).toContain('  - stop.deadlineMs: expected a positive number of milliseconds, seen -5');
    expect(stop(0)).toContain('stop.deadlineMs: expected a positive number of milliseconds, seen 0');
    expect(stop(1.5)).toContain('stop.deadlineMs: expected a positive number of milliseconds, seen 1.5');
    expect(stop('3000')).toContain('stop.deadlineMs: expected a positive number of milliseconds, seen "3000"');
    const ready = configError(() => parseTargetSpec({ ...engineJson(), ready: { stdout: 'x', deadlineMs: 0 } }, 'f', VARS));
    expect(ready.message).toContain('  - ready.deadlineMs: expected a positive number of milliseconds, seen 0');
  });

  it('rejects a stop.signal that is not a signal name', () => {
    const e = configError(() => parseTargetSpec({ ...engineJson(), stop: { signal: 'SIGTERMINATE' } }, 'f', VARS));
    expect(e.message).toContain('  - stop.signal: expected a signal name such as "SIGTERM", seen "SIGTERMINATE"');
    expect(parseTargetSpec({ ...engineJson(), stop: { signal: 'SIGINT' } }, 'f', VARS).stop.signal).toBe('SIGINT');
  });

  it('lists every problem at once, one per line, and cuts long values', () => {
    const j = {
      ...engineJson(),
      name: 7,
      raedy: 1,
      command: 'x'.repeat(200),
      stop: { method: 'kill', deadlineMs: -5 },
      controls: { q: { send: 'q' } },
    };
    const e = configError(() => parseTargetSpec(j, 'f.json', VARS));
    const lines = e.message.split('\n').filter((l) => l.startsWith('  - '));
    expect(e.message).toMatch(/^target config f\.json is invalid \(6 problems\):/);
    expect(lines).toHaveLength(6);
    expect(lines.map((l) => l.slice(4, l.indexOf(':'))).sort()).toEqual([
      'command',
      'controls.q.answer',
      'name',
      'raedy',
      'stop.deadlineMs',
      'stop.method',
    ]);
    const command = lines.find((l) => l.startsWith('  - command:'))!;
    expect(command).toMatch(/seen "x{56}\.\.\.$/);
    expect(command.length).toBeLessThan(120);
  });

  it('rejects a non-object', () => {
    expect(configError(() => parseTargetSpec(null, 'f', VARS)).message).toMatch(/not a JSON object/);
    expect(configError(() => parseTargetSpec('x', 'f', VARS)).message).toMatch(/not a JSON object/);
  });

  it('points at the schema file and the example config', () => {
    const { hint } = configError(() => parseTargetSpec(without('name'), 'f', VARS));
    expect(hint).toMatch(/schema\/target\.schema\.json/);
    expect(hint).toMatch(/fixtures\/targets\/engine\.json/);
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

  it('gives every schema problem of a file in one TARGET_CONFIG error naming it', () => {
    const file = join(dir, 'typo.json');
    writeFileSync(file, JSON.stringify({ ...engineJson(), raedy: {}, stop: { deadlineMs: -5 } }));
    const e = configError(() => loadTargetSpec(file, {}));
    expect(e.message).toContain(`target config ${file} is invalid (2 problems):`);
    expect(e.message).toContain('  - stop.deadlineMs: expected a positive number of milliseconds, seen -5');
    expect(e.message).toMatch(/ {2}- raedy: unknown key \(known keys: \$schema, \$comment, name, command, /);
  });
});

describe('every config in fixtures/targets/ and the README example', () => {
  const dir = resolve(ROOT, 'fixtures/targets');
  const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it.each(fixtures)('%s parses and names the schema as its first key', (f) => {
    const file = join(dir, f);
    const spec = loadTargetSpec(file, { output: 'hilt-observed' });
    expect(spec.file).toBe(file);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object)[0]).toBe('$schema');
    expect((JSON.parse(readFileSync(file, 'utf8')) as { $schema: string }).$schema).toBe('../../schema/target.schema.json');
  });

  it('finds the fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(10));

  // The README's Targets section: its control example, and any whole target config it shows.
  const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  it('parses the controls example of the README', () => {
    const snippet = /`("stop": \{"send": [^`]*\})`/.exec(readme)?.[1];
    expect(snippet, 'README no longer shows the kernel "stop" control').toBeDefined();
    const spec = parseTargetSpec({ ...engineJson(), controls: JSON.parse(`{${snippet}}`) }, 'README.md', VARS);
    expect(spec.controls.stop!.answer.test('hilt-kernel[3] kernel stopped')).toBe(true);
  });

  const blocks = [...readme.matchAll(/```jsonc?\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((b) => b.includes('"prefix"') && b.includes('"command"'));
  it.skipIf(blocks.length === 0).each(blocks)('parses the target config shown in the README (%#)', (block) => {
    const json = JSON.parse(block.replace(/\s\/\/.*$/gm, '')) as unknown;
    expect(parseTargetSpec(json, 'README.md', VARS).name).toBeTruthy();
  });
});

describe('a black box: any program', () => {
  const app = (extra: Record<string, unknown>) => ({ name: 'app', command: ['sh', 'app.sh'], prefix: 'app', ...extra });

  it('takes a bare command word, a cwd relative to the config, and the defaults of owns and expect', () => {
    const s = parseTargetSpec(app({ ready: { stdout: 'ready' }, cwd: 'apps' }), '/cfg/t/app.json', VARS);
    expect(s.command).toEqual(['sh', 'app.sh']);
    expect(s.cwd).toBe('/cfg/t/apps');
    expect(s.owns.patterns).toEqual([]);
    expect(s.expect).toEqual({ exitCodes: [0], audio: 'none', serverRestart: 'resumes' });
    expect(s.traits).toEqual([]);
  });

  it('reads each way of being ready, and the stop by line or command', () => {
    expect(parseTargetSpec(app({ ready: { file: 'out/*.pid' } }), 'f', VARS).ready).toEqual({ file: 'out/*.pid', deadlineMs: 5000 });
    expect(parseTargetSpec(app({ ready: { port: 8080, deadlineMs: 900 } }), 'f', VARS).ready).toEqual({ port: 8080, deadlineMs: 900 });
    expect(parseTargetSpec(app({ ready: { stream: true } }), 'f', VARS).ready.stream).toBe(true);
    const line = parseTargetSpec(app({ ready: { stdout: 'r' }, stop: { method: 'line', line: 'quit' } }), 'f', VARS);
    expect(line.stop).toMatchObject({ method: 'line', line: 'quit' });
    const cmd = parseTargetSpec(
      app({ ready: { stdout: 'r' }, stop: { method: 'command', command: ['kill', '-INT', '${pid}'] } }),
      'f',
      VARS,
    );
    expect(cmd.stop.command).toEqual(['kill', '-INT', '${pid}']);
    const ex = parseTargetSpec(app({ ready: { stdout: 'r' }, expect: { exitCodes: [0, 'SIGTERM'], audio: 'plays' } }), 'f', VARS);
    expect(ex.expect).toEqual({ exitCodes: [0, 'SIGTERM'], audio: 'plays', serverRestart: 'resumes' });
  });

  it('rejects no way or two ways of being ready, a stop without its line or command, and a bad expectation, all listed', () => {
    const e = configError(() =>
      parseTargetSpec(
        app({ ready: { stdout: 'r', port: 80 }, stop: { method: 'line' }, expect: { exitCodes: ['SIGNOPE'], audio: 'loud' } }),
        'f',
        VARS,
      ),
    );
    expect(e.message).toMatch(/- ready: expected exactly one of stdout, file, port, midiPort, stream, audio \(seen: stdout, port\)/);
    expect(e.message).toMatch(/- stop\.line: expected a line: method "line" needs stop\.line/);
    expect(e.message).toMatch(/- expect\.exitCodes\[0\]: expected an exit code or a signal name/);
    expect(e.message).toMatch(/- expect\.audio: expected "plays", "taps" or "none"/);
    expect(configError(() => parseTargetSpec(app({ ready: {} }), 'f', VARS)).message).toMatch(/- ready: expected exactly one of/);
  });
});

describe('paths under a Windows root (hilt under Windows Node)', () => {
  it('the program and required files built from ${root} get backslashes only; arguments stay as written', () => {
    const json = {
      name: 'c',
      command: ['${root}/native/build-win/prefix/drive_c/windows/system32/cmd.exe', '/k', 'echo ready'],
      requires: ['${root}/a/b.dll'],
      prefix: 'c',
      ready: { stdout: 'ready' },
    };
    const spec = parseTargetSpec(json, 'f', { root: 'Z:\\work\\main' });
    // cmd.exe given Z:\work\main/native/... read "/native" as a switch: "File already exists. Invalid name."
    expect(spec.command).toEqual(['Z:\\work\\main\\native\\build-win\\prefix\\drive_c\\windows\\system32\\cmd.exe', '/k', 'echo ready']);
    expect(spec.requires).toEqual(['Z:\\work\\main\\a\\b.dll']);
    expect(parseTargetSpec(json, 'f', { root: '/work/main' }).command[0]).toBe(
      '/work/main/native/build-win/prefix/drive_c/windows/system32/cmd.exe',
    );
  });
});
