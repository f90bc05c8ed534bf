// The `pnpm scenario` entry: the harness's CLI over this project's scenario catalogue. The only
// place where harness code is handed the scenarios (harness/ never imports scenarios/).
import { runCommand } from '../harness/cli/entry.ts';
import { scenarioCli, scenarioUsage } from '../harness/cli/scenario-cli.ts';
import { SCENARIO_LIST } from './manifest.ts';

await runCommand({ name: 'hilt', usage: scenarioUsage(SCENARIO_LIST), run: (argv) => scenarioCli(argv, SCENARIO_LIST) });
