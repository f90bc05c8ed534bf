// exit: the program ends by itself (a script, a test run, a program that exits with engines still
// running): within its deadline, with a code its config calls clean, nothing left behind, no crash
// signature (numchuck's exit 139 after all tests had passed, seed 000).
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { runBlackBox } from './lib/targets/black-box.ts';
import { exitFault } from './lib/blackbox-faults.ts';

defineScenario(SCENARIOS.exit, async (ctx) => {
  await runBlackBox(ctx, exitFault(ctx));
});
