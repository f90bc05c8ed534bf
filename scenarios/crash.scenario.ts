// crash: FineTune's crash guard (shared/seeds/003_*). The engine crashes for real (a null write,
// abort(), a SIGBUS page, int3, ud2, a divide by zero) on a chosen thread while it taps a victim.
// Its crash guard must destroy every tracked tap before the process dies, so the victim is heard
// again with no relaunch. --set point=teardown crashes inside the destroy of the crossfade tap,
// where "untrack before destroy" decides whether the guard destroys an object twice.
import { defineScenario } from '../harness/scenario/define.ts';
import { HiltError } from '../harness/errors.ts';
import { runFault } from './lib/fault-flow.ts';

const SIGNALS = ['segv', 'abrt', 'bus', 'trap', 'ill', 'fpe'];
const THREADS = ['main', 'audio', 'worker'];
const POINTS = ['steady', 'teardown'];

function param(set: Record<string, string>, key: string, allowed: string[], fallback: string): string {
  const v = (set[key] ?? fallback).toLowerCase().replace(/^sig/, '');
  if (!allowed.includes(v)) {
    throw new HiltError('USAGE', `--set ${key}=${set[key]} is not known`, { expected: `one of ${allowed.join(', ')}`, hint: `e.g. --set ${key}=${allowed[0]}` });
  }
  return v;
}

defineScenario(
  'crash',
  'Crash the engine for real on a chosen thread while it taps a victim; the crash guard must destroy its taps before it dies, so audio resumes with no relaunch.',
  async (ctx) => {
    const { run, options } = ctx;
    const signal = param(options.set, 'signal', SIGNALS, 'segv');
    const thread = param(options.set, 'thread', THREADS, 'main');
    const point = param(options.set, 'point', POINTS, 'steady');
    const sig = `SIG${signal.toUpperCase()}`;
    run.fact('fault', point === 'teardown' ? `${sig} inside the destroy of the secondary tap` : `${sig} on the ${thread} thread`);

    const out = await runFault(ctx, {
      label: point === 'teardown' ? `${sig} in teardown` : `${sig} on ${thread}`,
      secondary: true,
      // --set core=off: no core dump (writing one loads a 2-core machine and jitters the audio).
      cores: options.set.core !== 'off',
      inject: (e) => {
        e.child.stdin?.write(point === 'teardown' ? `remove-secondary crash-during=${signal}\n` : `crash ${signal} ${thread}\n`);
      },
      expectExit: (x) => ({ ok: x.signal === sig && x.crash, expected: sig }),
      expectLayer: 'crash-guard',
    });

    // Other failures keep the run's default diagnosis: the failed checks.
    const cg = out.log.crashGuard;
    if (out.failed.length) {
      if (cg && cg.failures.length) {
        run.diagnosis =
          `the crash guard destroyed ${cg.failures.map((f) => `module ${f.module}`).join(', ')} a second time (${cg.failures[0]!.reason}): ` +
          `the engine destroyed that tap before untracking it, so the crash inside the destroy left a dead object in the guard's table ` +
          `(destroy-before-untrack). The server reuses module indexes, so the second destroy can hit another app's object.`;
      } else if (!cg && out.exit.signal === sig) {
        run.diagnosis =
          `the engine died of ${sig} with its taps in place and no crash-guard report in its log: the crash guard is not installed (no-crashguard). ` +
          `Cleaned by: ${out.layer}${out.layer === 'guardian' ? ' (after the death, not before it)' : ''}; audio back after ${out.resumeMs === undefined ? 'never' : Math.round(out.resumeMs) + ' ms'}.`;
      }
    }
  },
);
