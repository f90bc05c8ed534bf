// kill9: FineTune's postmortem (docs/postmortems.md#4). The engine is kill -9'd while it taps and
// mutes a victim. SIGKILL cannot be caught, so the postmortem left it to the next launch's
// sweep; the engine's guardian process makes the immediate path exist: it sees the death and
// destroys the taps at once. With --bug no-guardian the scenario relaunches the engine and the
// sweep must do it (the report shows the longer silence); with no sweep either, the victim stays
// muted and the scenario fails.
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { runBlackBox } from './lib/blackbox-flow.ts';
import { isReferenceEngine, killFault } from './lib/blackbox-faults.ts';
import { runFault } from './lib/fault-flow.ts';

defineScenario(SCENARIOS.kill9, async (ctx) => {
  if (!isReferenceEngine(ctx)) return void (await runBlackBox(ctx, killFault(ctx)));
  const { run } = ctx;
  const out = await runFault(ctx, {
    label: 'SIGKILL',
    inject: (e) => void e.child.signal('SIGKILL'),
    expectExit: (x) => ({ ok: x.signal === 'SIGKILL', expected: 'SIGKILL' }),
    relaunchIfSilent: true,
    engine: {},
  });
  // A fact keeps every distinct value over the runs: the path only; its silence is the metric silence_ms.
  run.fact('path', out.relaunched ? 'no guardian cleanup; relaunch sweep' : 'guardian, no relaunch');
});
