// A target is described, not hard-wired: how to start it, know it is ready, stop it, and the
// prefix of the OS objects it creates. Any program can be a target through such a file.
// ${root} is the project root, ${output} the rig's observed sink, ${node} this Node binary,
// ${asan_runtime} the ASan runtime a Node process must preload to load an ASan-built addon.
// Other ${names} are left for the scenario to fill at launch (${connection_file}).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve, win32 } from 'node:path';
import { ROOT } from '../root.ts';
import { configProblems } from '../config-schema.ts';
import { HiltError } from '../errors.ts';
import { SCHEMA_FILE, targetConfigSchema } from './schema.ts';

export { ROOT };
export const DEFAULT_TARGET = resolve(ROOT, 'fixtures/targets/engine.json');

export interface TargetSpec {
  name: string;
  file: string; // where the spec came from
  command: string[];
  build?: string; // how to build it when the binary is missing
  requires: string[]; // files it needs besides its command (an addon a node program loads)
  env: Record<string, string>;
  cwd?: string; // absolute; undefined: hilt's own cwd (the project root)
  // Exactly one way of knowing it is ready, and the deadline for it.
  ready: { stdout?: RegExp; file?: string; port?: number; midiPort?: RegExp; stream?: true; audio?: true; deadlineMs: number };
  prefix: string;
  owns: { patterns: RegExp[]; files: string[] }; // objects it makes through helpers; files (absolute globs)
  stop: {
    method: 'signal' | 'stdin-close' | 'line' | 'command' | 'ctrl-break' | 'wm-close';
    signal: NodeJS.Signals;
    line?: string;
    command?: string[];
    deadlineMs: number;
  };
  expect: { exitCodes: (number | NodeJS.Signals)[]; audio: 'plays' | 'taps' | 'none'; serverRestart: 'resumes' | 'exits' };
  bugSwitchEnv?: string;
  bugSwitches: string[];
  traits: readonly string[]; // what it can do for scenarios beyond a black box (schema.ts TRAITS)
  wine: boolean; // a Windows program, run under Wine through hilt's launcher (target/wine.ts)
  // Named control lines sent on stdin and the line that answers each ("stop" -> /kernel stopped/).
  controls: Record<string, { send: string; answer: RegExp }>;
}

const HINT = `see ${SCHEMA_FILE} (editors check a config whose "$schema" names it) and fixtures/targets/engine.json for a complete example`;

function bad(file: string, what: string): never {
  throw new HiltError('TARGET_CONFIG', `target config ${file} is invalid: ${what}`, { hint: HINT });
}

export function parseTargetSpec(json: unknown, file: string, vars: Record<string, string>): TargetSpec {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) bad(file, 'not a JSON object');
  const parsed = targetConfigSchema.safeParse(json);
  if (!parsed.success) {
    const problems = configProblems(parsed.error.issues, json);
    const n = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    throw new HiltError('TARGET_CONFIG', `target config ${file} is invalid (${n}):\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      hint: HINT,
    });
  }
  const j = parsed.data;
  const sub = (s: string) => s.replace(/\$\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
  // Under a Windows root (Z:\work\hilt) a path is written with backslashes only: a program that
  // parses its own command line (cmd.exe) reads "/native/..." in Z:\work\hilt/native/... as switches.
  const windowsRoot = /^[A-Za-z]:\\/.test(vars.root ?? '');
  const subPath = (s: string) => (windowsRoot && /^[A-Za-z]:[\\/]/.test(sub(s)) ? win32.normalize(sub(s)) : sub(s));
  const [program, ...args] = j.command;
  return {
    name: j.name,
    file,
    command: [subPath(program!), ...args.map(sub)],
    build: j.build,
    requires: j.requires.map(subPath),
    env: Object.fromEntries(Object.entries(j.env).map(([k, v]) => [k, sub(String(v))])),
    cwd: j.cwd === undefined ? undefined : resolve(dirname(file), sub(j.cwd)),
    ready: {
      deadlineMs: j.ready.deadlineMs,
      ...(j.ready.stdout !== undefined && { stdout: new RegExp(j.ready.stdout) }),
      ...(j.ready.file !== undefined && { file: sub(j.ready.file) }),
      ...(j.ready.port !== undefined && { port: j.ready.port }),
      ...(j.ready.midiPort !== undefined && { midiPort: new RegExp(j.ready.midiPort) }),
      ...(j.ready.stream && { stream: true as const }),
      ...(j.ready.audio && { audio: true as const }),
    },
    prefix: j.prefix,
    owns: {
      patterns: j.owns.patterns.map((p) => new RegExp(p)),
      files: j.owns.files.map((f) => resolve(j.cwd === undefined ? ROOT : resolve(dirname(file), sub(j.cwd)), sub(f))),
    },
    stop: { ...j.stop, ...(j.stop.command && { command: j.stop.command.map(sub) }) },
    expect: { exitCodes: j.expect.exitCodes, audio: j.expect.audio, serverRestart: j.expect.serverRestart },
    bugSwitchEnv: j.bugSwitchEnv,
    bugSwitches: j.bugSwitches,
    traits: j.traits,
    wine: j.wine,
    controls: Object.fromEntries(Object.entries(j.controls).map(([k, c]) => [k, { send: c.send, answer: new RegExp(c.answer) }])),
  };
}

export function loadTargetSpec(file: string, vars: Record<string, string>): TargetSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new HiltError('TARGET_CONFIG', `target config ${file} cannot be read`, { hint: 'pass --target <path to a target JSON>' });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    bad(file, `not JSON (${(e as Error).message})`);
  }
  const asan: Record<string, string> = text.includes('${asan_runtime}') ? { asan_runtime: asanRuntime() } : {};
  return parseTargetSpec(json, file, { root: ROOT, node: process.execPath, ...asan, ...vars });
}

// The compiler's own libasan (the one the sanitizer build links against); a bare name when the
// compiler has none, which the target's "requires" then reports as missing.
function asanRuntime(): string {
  try {
    return execFileSync('g++', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
  } catch {
    return 'libasan.so (g++ not found: run npm run setup)';
  }
}
