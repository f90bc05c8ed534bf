// A target is described, not hard-wired: how to start it, know it is ready, stop it, and the
// prefix of the OS objects it creates. Any program can be a target through such a file.
// ${root} is the project root, ${output} the rig's observed sink, ${node} this Node binary,
// ${asan_runtime} the ASan runtime a Node process must preload to load an ASan-built addon.
// Other ${names} are left for the scenario to fill at launch (${connection_file}).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HiltError } from '../errors.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_TARGET = resolve(ROOT, 'fixtures/targets/engine.json');

export interface TargetSpec {
  name: string;
  file: string; // where the spec came from
  command: string[];
  build?: string; // how to build it when the binary is missing
  requires: string[]; // files it needs besides its command (an addon a node program loads)
  env: Record<string, string>;
  ready: { stdout: RegExp; deadlineMs: number };
  prefix: string;
  stop: { method: 'signal' | 'stdin-close'; signal: NodeJS.Signals; deadlineMs: number };
  bugSwitchEnv?: string;
  bugSwitches: string[];
  // Named control lines sent on stdin and the line that answers each ("stop" -> /kernel stopped/).
  controls: Record<string, { send: string; answer: RegExp }>;
}

function bad(file: string, what: string): never {
  throw new HiltError('TARGET_CONFIG', `target config ${file} is invalid: ${what}`, {
    hint: 'see fixtures/targets/engine.json for a complete example',
  });
}

export function parseTargetSpec(json: unknown, file: string, vars: Record<string, string>): TargetSpec {
  if (typeof json !== 'object' || json === null) bad(file, 'not a JSON object');
  const j = json as Record<string, any>;
  const sub = (s: string) => s.replace(/\$\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
  if (typeof j.name !== 'string' || !j.name) bad(file, '"name" must be a non-empty string');
  if (!Array.isArray(j.command) || j.command.length === 0 || !j.command.every((c: unknown) => typeof c === 'string'))
    bad(file, '"command" must be a non-empty array of strings');
  if (typeof j.prefix !== 'string' || !j.prefix) bad(file, '"prefix" (name prefix of the objects it creates) is required');
  if (typeof j.ready?.stdout !== 'string') bad(file, '"ready.stdout" (a regex matched against its output) is required');
  let readyStdout: RegExp;
  try {
    readyStdout = new RegExp(j.ready.stdout);
  } catch (e) {
    bad(file, `"ready.stdout" is not a valid regex (${(e as Error).message})`);
  }
  const controls: TargetSpec['controls'] = {};
  for (const [name, c] of Object.entries((j.controls ?? {}) as Record<string, any>)) {
    if (typeof c?.send !== 'string' || typeof c?.answer !== 'string') bad(file, `"controls.${name}" needs "send" (a line) and "answer" (a regex)`);
    try {
      controls[name] = { send: c.send, answer: new RegExp(c.answer) };
    } catch (e) {
      bad(file, `"controls.${name}.answer" is not a valid regex (${(e as Error).message})`);
    }
  }
  const method = j.stop?.method ?? 'signal';
  if (method !== 'signal' && method !== 'stdin-close') bad(file, '"stop.method" must be "signal" or "stdin-close"');
  return {
    name: j.name,
    file,
    command: (j.command as string[]).map(sub),
    build: typeof j.build === 'string' ? j.build : undefined,
    requires: Array.isArray(j.requires) ? j.requires.map((r: unknown) => sub(String(r))) : [],
    env: Object.fromEntries(Object.entries((j.env ?? {}) as Record<string, string>).map(([k, v]) => [k, sub(String(v))])),
    ready: { stdout: readyStdout, deadlineMs: Number(j.ready.deadlineMs ?? 5000) },
    prefix: j.prefix,
    stop: { method, signal: (j.stop?.signal ?? 'SIGTERM') as NodeJS.Signals, deadlineMs: Number(j.stop?.deadlineMs ?? 5000) },
    bugSwitchEnv: typeof j.bugSwitchEnv === 'string' ? j.bugSwitchEnv : undefined,
    bugSwitches: Array.isArray(j.bugSwitches) ? j.bugSwitches.map(String) : [],
    controls,
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
