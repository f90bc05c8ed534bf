// sigterm and sigint share one body: the signal must take the clean stop path (handled outside
// signal context), destroying the taps before exit 0 within the stop deadline.
import type { ScenarioContext } from '../../harness/scenario/define.ts';
import { runBlackBox } from './blackbox-flow.ts';
import { isReferenceEngine, signalFault } from './blackbox-faults.ts';
import { runFault } from './fault-flow.ts';

export async function stopBySignal(ctx: ScenarioContext, sig: 'SIGTERM' | 'SIGINT'): Promise<void> {
  if (!isReferenceEngine(ctx)) return void (await runBlackBox(ctx, signalFault(ctx, sig)));
  await runFault(ctx, {
    label: sig,
    deadlineMs: ctx.target.stop.deadlineMs,
    inject: (e) => void e.child.signal(sig),
    expectExit: (x) => ({ ok: x.kind === 'clean', expected: 'exit 0' }),
    engine: { secondary: true, expectLayer: 'clean-stop' },
  });
}
