// defineScenario: how a scenario file declares its body. The file registers it here when it is
// imported; the runner (execute.ts) finds it by name and runs it in the CLI's own process.
import type { Rig } from '../rig/rig.ts';
import type { TargetSpec } from '../target/config.ts';
import type { Params, ScenarioManifest } from './manifest.ts';
import type { ScenarioOptions } from './options.ts';
import type { ScenarioRun } from './run.ts';

export interface ScenarioContext {
  run: ScenarioRun;
  rig: Rig;
  target: TargetSpec;
  options: ScenarioOptions;
  params: Params; // the --set values, checked against the manifest, defaults filled in
  repetition: number;
  seed: number; // this repetition's seed (repetitionSeed): what its random choices come from
  // Teardown registered by the body; runs in reverse order even when the body throws.
  defer(fn: () => Promise<unknown> | unknown): void;
}

export type ScenarioBody = (ctx: ScenarioContext) => Promise<void>;

export interface ScenarioDefinition {
  entry: ScenarioManifest;
  body: ScenarioBody;
}

const defined = new Map<string, ScenarioDefinition>();

export function defineScenario(entry: ScenarioManifest, body: ScenarioBody): void {
  defined.set(entry.name, { entry, body });
}

export const definedScenario = (name: string): ScenarioDefinition | undefined => defined.get(name);
