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
  const silence = out.resumeMs === undefined ? 'never resumed' : `${Math.round(out.resumeMs)} ms of silence`;
  // A fact keeps every distinct value over the runs: the path only; its silence is the metric silence_ms.
  run.fact('path', out.relaunched ? 'no guardian cleanup; relaunch sweep' : 'guardian, no relaunch');
  // Other failures keep the run's default diagnosis: the failed checks.
  const left = out.failed.find((c) => c.id === 'no-orphans');
  if (left) {
    run.diagnosis =
      `orphan taps of the SIGKILLed engine (pid ${out.target.pid}, dead) survived${out.relaunched ? ' the relaunch' : ''} ` +
      `and kept the victim muted (${silence}): ` +
      `${out.log?.guardian ? 'the guardian ran but did not destroy them' : 'no guardian destroyed them at the death (no-guardian)'}` +
      `${out.relaunched ? ' and the relaunched engine did not sweep them at start-up (no-sweep)' : ''}. ${left.message}`;
  }
});
