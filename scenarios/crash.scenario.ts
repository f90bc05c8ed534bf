// crash: FineTune's crash guard (docs/postmortems.md#4). The engine crashes for real (a null write,
// abort(), a SIGBUS page, int3, ud2, a divide by zero) on a chosen thread while it taps a victim.
// Its crash guard must destroy every tracked tap before the process dies, so the victim is heard
// again with no relaunch. --set point=teardown crashes inside the destroy of the crossfade tap,
// where "untrack before destroy" decides whether the guard destroys an object twice.
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { runBlackBox } from './lib/blackbox-flow.ts';
import { crashFault, isReferenceEngine, WINDOWS_FAULTS, windowsCrashFault, type WindowsFault } from './lib/blackbox-faults.ts';
import { classifyExit, windowsExitText } from '../harness/proc/exit.ts';
import { runFault } from './lib/fault-flow.ts';

defineScenario(SCENARIOS.crash, async (ctx) => {
  const { run, params } = ctx;
  const signal = params.word('signal');
  const thread = params.word('thread');
  const point = params.word('point');
  const sig = `SIG${signal.toUpperCase()}`;
  if (ctx.target.traits.includes('windows-engine')) {
    // thread and point were checked against the target before the run (the manifest's targetLimits).
    const fault = params.word('win_fault') as WindowsFault;
    const on = thread === 'audio' ? 'render' : 'main';
    run.fact(
      'fault',
      `${fault} on the ${on} thread (expects ${windowsExitText(classifyExit({ exitCode: WINDOWS_FAULTS[fault], platform: 'win32' }))})`,
    );
    return void (await runBlackBox(ctx, windowsCrashFault(ctx, fault, on)));
  }
  if (!isReferenceEngine(ctx)) {
    // A black box cannot be made to fault from inside: the signal comes from outside, at the process.
    return void (await runBlackBox(ctx, crashFault(ctx, sig as NodeJS.Signals)));
  }
  run.fact('fault', point === 'teardown' ? `${sig} inside the destroy of the secondary tap` : `${sig} on the ${thread} thread`);

  await runFault(ctx, {
    label: point === 'teardown' ? `${sig} in teardown` : `${sig} on ${thread}`,
    // --set core=off: no core dump (writing one loads a 2-core machine and jitters the audio).
    cores: params.flag('core'),
    inject: (e) => {
      e.child.stdin?.write(point === 'teardown' ? `remove-secondary crash-during=${signal}\n` : `crash ${signal} ${thread}\n`);
    },
    expectExit: (x) => ({ ok: x.signal === sig && x.crash, expected: sig }),
    engine: { secondary: true, expectLayer: 'crash-guard' },
  });
  // The diagnosis, when a check failed, names the layer that failed (harness/check/tapping.ts).
});
