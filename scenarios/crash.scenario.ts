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

  const out = await runFault(ctx, {
    label: point === 'teardown' ? `${sig} in teardown` : `${sig} on ${thread}`,
    // --set core=off: no core dump (writing one loads a 2-core machine and jitters the audio).
    cores: params.flag('core'),
    inject: (e) => {
      e.child.stdin?.write(point === 'teardown' ? `remove-secondary crash-during=${signal}\n` : `crash ${signal} ${thread}\n`);
    },
    expectExit: (x) => ({ ok: x.signal === sig && x.crash, expected: sig }),
    engine: { secondary: true, expectLayer: 'crash-guard' },
  });

  // Other failures keep the run's default diagnosis: the failed checks.
  const cg = out.log?.crashGuard;
  if (out.failed.length) {
    if (cg && cg.failures.length) {
      run.diagnosis =
        `the crash guard destroyed ${cg.failures.map((f) => `module ${f.module}`).join(', ')} a second time (${cg.failures[0]!.reason}): ` +
        `the engine destroyed that tap before untracking it, so the crash inside the destroy left a dead object in the guard's table ` +
        `(destroy-before-untrack). The server reuses module indexes, so the second destroy can hit another app's object.`;
    } else if (!cg && out.exit.signal === sig) {
      run.diagnosis =
        `the engine died of ${sig} with its taps in place and no crash-guard report in its log: ` +
        `the crash guard is not installed (no-crashguard). ` +
        `Cleaned by: ${out.layer}${out.layer === 'guardian' ? ' (after the death, not before it)' : ''}; ` +
        `audio back after ${out.resumeMs === undefined ? 'never' : Math.round(out.resumeMs) + ' ms'}.`;
    }
  }
});
