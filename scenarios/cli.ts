// The `pnpm scenario` entry: the harness's CLI over this project's scenario catalogue. The only
// place where harness code is handed the scenarios (harness/ never imports scenarios/).
import { scenarioCli } from '../harness/cli/scenario-cli.ts';
import { SCENARIO_LIST } from './manifest.ts';

scenarioCli(process.argv.slice(2), SCENARIO_LIST).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`hilt: internal error: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
