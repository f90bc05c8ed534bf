// sigterm and sigint share one body: the signal must take the clean stop path (handled outside
// signal context), destroying the taps before exit 0 within the stop deadline.
import type { ScenarioContext } from '../../harness/scenario/define.ts';
import { withinLimit } from '../../harness/check/check.ts';
import { runBlackBox } from './blackbox-flow.ts';
import { isReferenceEngine, signalFault } from './blackbox-faults.ts';
import { runFault } from './fault-flow.ts';

export async function stopBySignal(ctx: ScenarioContext, sig: 'SIGTERM' | 'SIGINT'): Promise<void> {
  if (!isReferenceEngine(ctx)) return void (await runBlackBox(ctx, signalFault(ctx, sig)));
  const { run, target } = ctx;
  const deadline = target.stop.deadlineMs;
  const out = await runFault(ctx, {
    label: sig,
    inject: (e) => void e.child.signal(sig),
    expectExit: (x) => ({ ok: x.kind === 'clean', expected: 'exit 0' }),
    engine: { secondary: true, expectLayer: 'clean-stop' },
  });
  run.check(withinLimit('shutdown-deadline', 'shutdown within its deadline', out.exitMs, deadline, 'ms', `${sig} to process gone`));
  // Other failures keep the run's default diagnosis: the failed checks.
  if (out.failed.length && out.exit.signal === sig) {
    run.diagnosis =
      `the engine died of ${sig} instead of stopping: it has no ${sig} handler (no-signal-handlers), ` +
      `so its taps were not destroyed by the engine ` +
      `(cleaned by: ${out.layer}); FineTune's "kill <pid>" layer is missing.`;
  }
}
