// multi-app: FineTune's "multiple tapped apps" test (docs/postmortems.md#4). Three victims, each
// tapped by its own primary tap and given a secondary (crossfade) tap: six server objects. After
// a SIGKILL, all six must be gone and all three tones back, with no relaunch: the guardian's job.
// The pipeline with the reference engine's steps and three victims; judged in harness/check/tapping.ts.
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { runPipeline } from './lib/pipeline.ts';
import { engineSteps } from './lib/targets/reference-engine.ts';

// Whole multiples of 100 Hz: with 10 ms analysis windows they do not leak into each other.
const VICTIMS = [
  { name: 'hilt-victim-1', hz: 500, amplitude: 0.2 },
  { name: 'hilt-victim-2', hz: 1100, amplitude: 0.2 },
  { name: 'hilt-victim-3', hz: 1700, amplitude: 0.2 },
];

defineScenario(SCENARIOS['multi-app'], async (ctx) => {
  await runPipeline(
    ctx,
    engineSteps({
      label: 'SIGKILL',
      args: VICTIMS.flatMap((v) => ['--tap-app', v.name]),
      victims: VICTIMS,
      expectTaps: 6,
      inject: (e) => void e.child.signal('SIGKILL'),
      expectExit: (x) => ({ ok: x.signal === 'SIGKILL', expected: 'SIGKILL' }),
      secondary: true,
    }),
  );
});
