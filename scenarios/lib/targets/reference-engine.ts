// The reference engine (native/): it taps the victim first (proof that the fault will bite),
// crashes from inside on the thread asked for, and its log says which defence layer cleaned up.
// Each scenario proves one layer: the guardian (kill9, else the relaunch's sweep), the crash
// guard (crash), the signal handler's clean stop (sigterm, sigint).
import { runFault } from '../fault-flow.ts';
import type { TargetAdapter } from './adapter.ts';

export const referenceEngine: TargetAdapter = {
  kind: 'reference engine',
  kill: async (ctx) => {
    const out = await runFault(ctx, {
      label: 'SIGKILL',
      inject: (e) => void e.child.signal('SIGKILL'),
      expectExit: (x) => ({ ok: x.signal === 'SIGKILL', expected: 'SIGKILL' }),
      relaunchIfSilent: true,
      engine: {},
    });
    // A fact keeps every distinct value over the runs: the path only; its silence is the metric silence_ms.
    ctx.run.fact('path', out.relaunched ? 'no guardian cleanup; relaunch sweep' : 'guardian, no relaunch');
  },
  crash: async (ctx, { signal, thread, point }) => {
    const sig = `SIG${signal.toUpperCase()}`;
    ctx.run.fact('fault', point === 'teardown' ? `${sig} inside the destroy of the secondary tap` : `${sig} on the ${thread} thread`);
    await runFault(ctx, {
      label: point === 'teardown' ? `${sig} in teardown` : `${sig} on ${thread}`,
      // --set core=off: no core dump (writing one loads a 2-core machine and jitters the audio).
      cores: ctx.params.flag('core'),
      inject: (e) => {
        e.child.stdin?.write(point === 'teardown' ? `remove-secondary crash-during=${signal}\n` : `crash ${signal} ${thread}\n`);
      },
      expectExit: (x) => ({ ok: x.signal === sig && x.crash, expected: sig }),
      engine: { secondary: true, expectLayer: 'crash-guard' },
    });
  },
  // The signal must take the clean stop path (handled outside signal context), destroying the
  // taps before exit 0 within the stop deadline.
  stopBySignal: async (ctx, sig) => {
    await runFault(ctx, {
      label: sig,
      deadlineMs: ctx.target.stop.deadlineMs,
      inject: (e) => void e.child.signal(sig),
      expectExit: (x) => ({ ok: x.kind === 'clean', expected: 'exit 0' }),
      engine: { secondary: true, expectLayer: 'clean-stop' },
    });
  },
};
