// The reference engine built for Windows (under Wine here): judged as a black box, but it crashes
// from inside, on its main or render thread, with the exception asked for (--set win_fault); its
// exit is the NTSTATUS hilt's launcher reads, not a POSIX signal.
import { classifyExit, windowsExitText } from '../../../harness/proc/exit.ts';
import { WINDOWS_FAULTS, windowsCrashFault, type WindowsFault } from '../blackbox-faults.ts';
import type { TargetAdapter } from './adapter.ts';
import { blackBox, runBlackBox } from './black-box.ts';

export const windowsEngine: TargetAdapter = {
  ...blackBox,
  kind: 'Windows engine',
  crash: async (ctx, asked) => {
    // thread and point were checked against the target before the run (the manifest's targetLimits).
    const fault = ctx.params.word('win_fault') as WindowsFault;
    const on = asked.thread === 'audio' ? 'render' : 'main';
    const expects = windowsExitText(classifyExit({ exitCode: WINDOWS_FAULTS[fault], platform: 'win32' }));
    ctx.run.fact('fault', `${fault} on the ${on} thread (expects ${expects})`);
    await runBlackBox(ctx, windowsCrashFault(ctx, fault, on));
  },
};
