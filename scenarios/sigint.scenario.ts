// sigint: Ctrl-C (FineTune's second layer): a clean stop, audio back, no orphans, on time.
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { stopBySignal } from './lib/stop-signal.ts';

defineScenario(SCENARIOS.sigint, (ctx) => stopBySignal(ctx, 'SIGINT'));
