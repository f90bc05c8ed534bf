// stop: the target's configured stop (a signal, stdin closed, a line, a command), then its exit
// within the stop deadline with a code its config calls clean. A stop that hangs gets stacks,
// then SIGTERM, then SIGKILL, and every check still runs (the Max kernel's hang, seed 001).
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { runBlackBox } from './lib/targets/black-box.ts';
import { stopFault } from './lib/blackbox-faults.ts';

defineScenario(SCENARIOS.stop, async (ctx) => {
  await runBlackBox(ctx, stopFault(ctx));
});
