// sigterm: `kill <pid>` (FineTune's second layer): a clean stop, audio back, no orphans, on time.
import { defineScenario } from '../harness/scenario/define.ts';
import { stopBySignal } from './lib/stop-signal.ts';

defineScenario('sigterm', 'SIGTERM the engine while it taps a victim: clean exit 0 within the stop deadline, taps destroyed by the engine, audio resumes.', (ctx) =>
  stopBySignal(ctx, 'SIGTERM'));
