// The scenario manifest: each scenario declared once (name, summary, the postmortem it guards,
// its --set parameters, what it needs of a target, the bug switches that must fail it). The CLI
// checks a run against it before anything starts; the scenario frame reads parameters through it.
import { HiltError } from '../errors.ts';
import type { RigKind } from '../rig/rig.ts';

export type Postmortem = 'numchuck-gc-teardown' | 'max-kernel-stop' | 'rtmidi-threaded-init' | 'finetune-orphans' | 'none';

export type ParamSpec =
  | { kind: 'word'; values: readonly string[]; default: string; meaning: string }
  | { kind: 'words'; values: readonly string[]; default: readonly string[]; meaning: string } // a comma list: how=normal,exit
  | { kind: 'number'; min: number; max: number; integer: boolean; default: number; unit: string; meaning: string }
  | { kind: 'flag'; default: boolean; meaning: string };

// What a scenario needs of its target: traits the target config declares, and named controls.
export interface TargetNeeds {
  traits?: readonly string[];
  controls?: readonly string[];
}

// Values a parameter may take for some targets only (the crash thread a black box can be given),
// or only with some values of another (an escaping exception on the worker thread only). The first
// rule whose traits the target has and whose params the run has (or 'otherwise') applies; checked
// before a rig starts.
export interface TargetLimit {
  when: { traits: readonly string[]; params?: Record<string, readonly string[]> } | 'otherwise';
  allow: Record<string, readonly string[]>; // parameter -> the values allowed for such a target
  why: string;
  hint: string;
}

export interface ScenarioManifest {
  name: string;
  file: string; // the body, relative to the project root
  summary: string; // one line, for --list
  description: string; // a paragraph, for --help and the report
  postmortem: Postmortem;
  params: Record<string, ParamSpec>;
  needs: TargetNeeds;
  bugs: readonly string[]; // bug switches (comma = together) under which it must fail
  target?: string; // its default target config, relative to the root (else the reference engine)
  targetBy?: { param: string; targets: Record<string, string> }; // the target picked by a word parameter
  targetLimits?: readonly TargetLimit[];
  // A bug switch that makes a parameter value meaningless (no guardian to kill first): refused before anything starts.
  bugConflicts?: readonly { bug: string; param: string; value: string; why: string }[];
  // The rigs it may run on, where not every one (a fault on the server itself is for hilt's own).
  rigs?: { allow: readonly RigKind[]; why: string; hint: string };
  // The operating systems hilt runs it on. Without it: Linux and macOS, whose faults are POSIX
  // signals; on Windows it is refused before anything starts, saying why (`windows`).
  os?: readonly NodeJS.Platform[];
  // Where it does not run on Windows: why, and what to do. Where it does: its default target there
  // (`target`), and the traits a target must have there (`traits`; else refused with why and hint).
  // allow: the parameter values it takes on Windows, where fewer than elsewhere (refused with why and hint).
  windows?: { why?: string; hint?: string; target?: string; traits?: readonly string[]; allow?: Record<string, readonly string[]> };
  stopsByConfig?: true; // it stops the target by its config's stop.method (a Windows-only method is refused elsewhere)
  macos?: { target: string }; // its default target on macOS, where hilt runs black boxes only (the reference engine is not built there)
}

// Targets built for Linux (and Windows) only, by their traits: hilt on macOS runs black boxes.
const NOT_ON_MACOS = ['reference-engine', 'gc-churn-program', 'live-engines-program', 'jupyter-kernel', 'midi-init', 'windows-engine'];

const POSIX: readonly NodeJS.Platform[] = ['linux', 'darwin'];
export const runsOn = (m: ScenarioManifest, os: NodeJS.Platform): boolean => (m.os ?? POSIX).includes(os);
// Why a scenario does not run on `os`, with what to do; undefined when it does.
export function osRefusal(
  m: ScenarioManifest,
  os: NodeJS.Platform,
  target?: { name: string; traits: readonly string[]; windowsProgram: boolean; stopMethod?: string },
): { message: string; hint: string } | undefined {
  const windowsStop = target?.stopMethod === 'ctrl-break' || target?.stopMethod === 'wm-close';
  if (m.stopsByConfig && windowsStop && os !== 'win32')
    return {
      message: `${target!.name}'s stop method "${target!.stopMethod}" is sent by hilt running on Windows; this is ${os}`,
      hint: 'run it with hilt on Windows, or give the config a stop method for here ("stdin-close", "line", "signal" or "command")',
    };
  const linuxOnly = os === 'darwin' ? target?.traits.filter((t) => NOT_ON_MACOS.includes(t)) : undefined;
  if (runsOn(m, os) && target && (linuxOnly?.length || (os === 'darwin' && target.windowsProgram)))
    return {
      message:
        `${target.name} is not a program hilt runs on macOS (${linuxOnly?.join(', ') || 'a Windows program'}): ` +
        'the reference engine and the other test programs are built for Linux and Windows; on macOS hilt judges black boxes',
      hint: m.macos
        ? `give --target a program of this Mac (${m.macos.target} plays a tone with SoX)`
        : `${m.name} has no black-box form: run it on Linux`,
    };
  if (runsOn(m, os) && os === 'win32' && target) {
    if (!target.windowsProgram)
      return {
        message: `${target.name} is not a Windows program: hilt on Windows runs only targets whose config says "wine": true`,
        hint: 'give a target config of a Windows program (fixtures/targets/win-*.json), or run this one on Linux',
      };
    const lacks = (m.windows?.traits ?? []).filter((t) => !target.traits.includes(t));
    if (lacks.length)
      return {
        message: `${m.name} on Windows needs a target with trait ${lacks.join(', ')}; ${target.name} has not: ${m.windows?.why ?? ''}`,
        hint: m.windows?.hint ?? 'pnpm scenario --list',
      };
    return undefined;
  }
  if (runsOn(m, os)) return undefined;
  const why = os === 'win32' ? m.windows?.why : undefined;
  return {
    message: `${m.name} does not run on ${os} (only ${(m.os ?? POSIX).join(', ')})${why ? `: ${why}` : ''}`,
    hint: (os === 'win32' ? m.windows?.hint : undefined) ?? 'run it on one of those; pnpm scenario --list says which run here',
  };
}

export type ParamValue = string | number | boolean | readonly string[];

// Parameter constructors, so a manifest entry reads as a table.
export const word = (values: readonly string[], dflt: string, meaning: string): ParamSpec => ({
  kind: 'word',
  values,
  default: dflt,
  meaning,
});
export const words = (values: readonly string[], dflt: readonly string[], meaning: string): ParamSpec => ({
  kind: 'words',
  values,
  default: dflt,
  meaning,
});
export const flag = (dflt: boolean, meaning: string): ParamSpec => ({ kind: 'flag', default: dflt, meaning });
export const ms = (dflt: number, meaning: string, min = 1, max = 600_000): ParamSpec => ({
  kind: 'number',
  min,
  max,
  integer: true,
  default: dflt,
  unit: 'ms',
  meaning,
});
export const count = (dflt: number, meaning: string, min = 1, max = 10_000): ParamSpec => ({
  kind: 'number',
  min,
  max,
  integer: true,
  default: dflt,
  unit: '',
  meaning,
});

export function allowed(p: ParamSpec): string {
  switch (p.kind) {
    case 'word':
      return `one of ${p.values.join(', ')}`;
    case 'words':
      return `a comma list of ${p.values.join(', ')}`;
    case 'number':
      return `a ${p.integer ? 'whole number' : 'number'} from ${p.min} to ${p.max}${p.unit ? ` (${p.unit})` : ''}`;
    case 'flag':
      return 'on or off';
  }
}

export const shownDefault = (p: ParamSpec): string =>
  p.kind === 'words' ? p.default.join(',') : p.kind === 'flag' ? (p.default ? 'on' : 'off') : String(p.default);

const FLAG_WORDS: Record<string, boolean> = { on: true, true: true, yes: true, '1': true, off: false, false: false, no: false, '0': false };

// One --set value, parsed against its spec; undefined when it does not fit.
function parseValue(p: ParamSpec, raw: string): ParamValue | undefined {
  switch (p.kind) {
    case 'word':
      return p.values.includes(raw) ? raw : undefined;
    case 'words': {
      const list = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      return list.length > 0 && list.every((v) => p.values.includes(v)) ? list : undefined;
    }
    case 'number': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      return Number.isFinite(n) && n >= p.min && n <= p.max && (!p.integer || Number.isInteger(n)) ? n : undefined;
    }
    case 'flag':
      return FLAG_WORDS[raw.toLowerCase()];
  }
}

// Every --set checked against the manifest: an unknown key or a bad value is a usage error that
// names what is allowed. Returns every parameter's value, defaults filled in.
export function resolveParams(m: ScenarioManifest, set: Record<string, string>): Record<string, ParamValue> {
  const problems: string[] = [];
  const keys = Object.keys(m.params);
  for (const [k, raw] of Object.entries(set)) {
    const p = m.params[k];
    if (!p) {
      problems.push(
        `--set ${k}: ${m.name} has no parameter "${k}" (${keys.length ? `its parameters: ${keys.join(', ')}` : 'it takes none'})`,
      );
    } else if (parseValue(p, raw) === undefined) {
      problems.push(`--set ${k}=${raw}: expected ${allowed(p)}`);
    }
  }
  if (problems.length) {
    throw new HiltError('USAGE', problems.join('\n'), { hint: `pnpm scenario ${m.name} --help lists its parameters with their defaults` });
  }
  return Object.fromEntries(keys.map((k) => [k, k in set ? parseValue(m.params[k]!, set[k]!)! : m.params[k]!.default]));
}

// Typed reads of resolved parameters; asking for one the manifest does not declare is a bug in hilt.
export class Params {
  constructor(
    private readonly scenario: string,
    private readonly values: Record<string, ParamValue>,
  ) {}

  private get(key: string, kind: string): ParamValue {
    const v = this.values[key];
    if (v === undefined)
      throw new HiltError('INTERNAL', `${this.scenario} reads parameter "${key}" (${kind}), which its manifest entry does not declare`);
    return v;
  }

  number(key: string): number {
    return this.get(key, 'number') as number;
  }

  word<T extends string = string>(key: string): T {
    return this.get(key, 'word') as T;
  }

  words(key: string): readonly string[] {
    return this.get(key, 'words') as readonly string[];
  }

  flag(key: string): boolean {
    return this.get(key, 'flag') as boolean;
  }

  // What was asked, for reports: "count=20 batch=5".
  describe(): string {
    return Object.entries(this.values)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : typeof v === 'boolean' ? (v ? 'on' : 'off') : v}`)
      .join(' ');
  }
}

// The per-target limits a run breaks, in words (the --set values, resolved, against the target's traits).
export function brokenLimits(m: ScenarioManifest, values: Record<string, ParamValue>, target: { name: string; traits: readonly string[] }) {
  const rule = m.targetLimits?.find(
    (r) =>
      r.when === 'otherwise' ||
      (r.when.traits.every((t) => target.traits.includes(t)) &&
        Object.entries(r.when.params ?? {}).every(([k, vs]) => vs.includes(String(values[k])))),
  );
  if (!rule) return undefined;
  const broken = Object.entries(rule.allow).filter(([k, vs]) => !vs.includes(String(values[k])));
  if (!broken.length) return undefined;
  const said = broken.map(([k, vs]) => `--set ${k}=${String(values[k])} (for ${target.name}: ${vs.join(' or ')})`).join(', ');
  return { message: `${said}: ${rule.why}`, hint: rule.hint };
}

// The bug switch a run's parameters make no sense with, in words; undefined when none.
export function bugConflict(m: ScenarioManifest, values: Record<string, ParamValue>, bugs: readonly string[]) {
  const c = m.bugConflicts?.find((x) => bugs.includes(x.bug) && String(values[x.param]) === x.value);
  return (
    c && { message: `--set ${c.param}=${c.value} with --bug ${c.bug}: ${c.why}`, hint: `drop --bug ${c.bug}, or another --set ${c.param}` }
  );
}

// What a target lacks of a scenario's needs, in words; empty when it has everything.
export function missingNeeds(needs: TargetNeeds, target: { traits: readonly string[]; controls: Record<string, unknown> }): string[] {
  const missing: string[] = [];
  for (const t of needs.traits ?? []) if (!target.traits.includes(t)) missing.push(`trait "${t}"`);
  for (const c of needs.controls ?? []) if (!(c in target.controls)) missing.push(`control "${c}"`);
  return missing;
}

// A parameter value that has no meaning on Windows (kill9 --set scope=group: no process group to kill).
export function windowsParamRefusal(
  m: ScenarioManifest,
  values: Record<string, ParamValue>,
): { message: string; hint: string } | undefined {
  for (const [k, allowed] of Object.entries(m.windows?.allow ?? {})) {
    const v = values[k];
    if (typeof v === 'string' && !allowed.includes(v))
      return {
        message: `${m.name} --set ${k}=${v} does not run on Windows (there: ${allowed.join(', ')}): ${m.windows?.why ?? ''}`,
        hint: m.windows?.hint ?? `use --set ${k}=${allowed[0]}`,
      };
  }
  return undefined;
}
