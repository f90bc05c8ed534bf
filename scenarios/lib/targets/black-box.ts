// Any program, judged from outside only (the server, the OS, the victim): every fault is a signal
// sent to its process, and it proves nothing about itself.
import { runBlackBox } from '../blackbox-flow.ts';
import { crashFault, killFault, signalFault } from '../blackbox-faults.ts';
import type { TargetAdapter } from './adapter.ts';

export const blackBox: TargetAdapter = {
  kind: 'black box',
  kill: async (ctx) => void (await runBlackBox(ctx, killFault(ctx))),
  // It cannot be made to fault from inside: the crash signal comes from outside, at the process
  // (thread and point are refused for it before the run: the manifest's targetLimits).
  crash: async (ctx, asked) => void (await runBlackBox(ctx, crashFault(ctx, `SIG${asked.signal.toUpperCase()}` as NodeJS.Signals))),
  stopBySignal: async (ctx, sig) => void (await runBlackBox(ctx, signalFault(ctx, sig))),
};
