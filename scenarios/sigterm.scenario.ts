// sigterm: `kill <pid>` (FineTune's second layer): a clean stop, audio back, no orphans, on time.
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { adapterFor } from './lib/targets/adapter.ts';

defineScenario(SCENARIOS.sigterm, (ctx) => adapterFor(ctx).stopBySignal(ctx, 'SIGTERM'));
