// What the CLI hands a scenario run: everything checked against the manifest before it starts.
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

export const defaultOutDir = (scenario: string): string => `reports/out/${scenario}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
