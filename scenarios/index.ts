// The scenario catalogue: what `pnpm scenario --list` prints and which file each name runs.
export interface ScenarioEntry {
  name: string;
  file: string; // relative to the project root
  summary: string;
  bugs: string[]; // bug switches under which this scenario must fail
}

export const SCENARIOS: ScenarioEntry[] = [
  {
    name: 'kill9',
    file: 'scenarios/kill9.scenario.ts',
    summary: 'SIGKILL an engine that taps a victim; relaunch sweeps the orphan tap; audio resumes (FineTune, seed 003)',
    bugs: ['no-sweep'],
  },
];

export const findScenario = (name: string): ScenarioEntry | undefined => SCENARIOS.find((s) => s.name === name);
