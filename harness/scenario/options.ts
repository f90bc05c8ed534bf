// What the CLI hands a scenario (through the environment, since vitest runs it in a worker).
export interface ScenarioOptions {
  scenario: string;
  target: string; // path of the target config
  rig: 'virtual' | 'system';
  rigServer?: string;
  rigConfig?: string; // resolved path of the rig file
  repeat: number;
  onlyRepetition?: number; // replay one repetition (its seed derived from `seed`)
  seed: number;
  bugs: string[];
  set: Record<string, string>;
  out: string;
}

export const OPTIONS_ENV = 'HILT_SCENARIO_OPTIONS';

export const defaultOutDir = (scenario: string): string => `reports/out/${scenario}-${new Date().toISOString().replace(/[:.]/g, '-')}`;

export function scenarioOptions(defaults: Partial<ScenarioOptions> & { scenario: string }): ScenarioOptions {
  const raw = process.env[OPTIONS_ENV];
  const given = raw ? (JSON.parse(raw) as Partial<ScenarioOptions>) : {};
  return {
    target: '',
    rig: 'virtual',
    repeat: 1,
    seed: Date.now() % 1_000_000,
    bugs: [],
    set: {},
    out: defaultOutDir(defaults.scenario),
    ...defaults,
    ...given,
  };
}

// A numeric scenario parameter from --set key=value, with its default.
export function numberParam(o: ScenarioOptions, key: string, fallback: number): number {
  const v = o.set[key];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--set ${key}=${v}: expected a number`);
  return n;
}

// One of a fixed set of words from --set key=value (app=tk|engine), with its default.
export function choiceParam<T extends string>(o: ScenarioOptions, key: string, known: readonly T[], fallback: T): T {
  const v = (o.set[key] ?? fallback) as T;
  if (!known.includes(v)) throw new Error(`--set ${key}=${v}: expected one of ${known.join(', ')}`);
  return v;
}
