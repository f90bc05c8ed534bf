// kernel-cycles: the kernel started and stopped again and again in one app, as a Max user
// starts and stops a kernel object. Each stop must be on time and leave threads, descriptors and
// the connection file where they were; a leak of one thread per stop shows up as a trend here.
// Not the fault pipeline (lib/pipeline.ts): many start/stop cycles inside one process, judged as a series.
import { existsSync } from 'node:fs';
import { expectation, withinLimit } from '../harness/check/check.ts';
import { backToBaseline } from '../harness/check/orphans.ts';
import { quantile } from '../harness/report/figures.ts';
import { fdCount, otherThreads } from '../harness/inventory/threads.ts';
import { diffSnapshots, processState } from '../harness/inventory/snapshot.ts';
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { stopTarget } from '../harness/target/launch.ts';
import { watchBudget } from '../harness/watchdog/watchdog.ts';
import { now } from '../harness/wait.ts';
import { cleanExitCheck, hangDiagnosis, leakDiagnosis } from '../harness/check/kernel-stop.ts';
import { crashSignatures } from '../harness/check/crash-signature.ts';
import { KernelSession } from './lib/kernel-session.ts';

interface Cycle {
  n: number;
  stopMs?: number;
  threads?: number; // threads besides the main one after the stop
  fds?: number;
  fileLeft: boolean;
}

defineScenario(SCENARIOS['kernel-cycles'], async (ctx) => {
  const { run, target, options } = ctx;
  const cycles = ctx.params.number('cycles');
  const stopLimit = ctx.params.number('stop_ms');
  const exitLimit = ctx.params.number('exit_ms');
  const session = new KernelSession(ctx);

  const baseline = await run.phase('baseline inventory', 5000, () => session.target.snapshot());
  const kernel = await session.launch();
  const done: Cycle[] = [];
  let problem = '';
  for (let n = 1; n <= cycles && !problem; n++) {
    if (n > 1) {
      const started = await session.start();
      if (started.outcome === 'exited')
        problem = `the kernel process died before cycle ${n} of ${cycles} could start (${started.exit.exit.name})`;
      if (started.outcome === 'hung') problem = `hang: the kernel start call did not answer in cycle ${n}: ${started.hang.waits}`;
      if (problem) break;
    }
    const { ports } = await session.ports();
    const clients = await session.connectClients(ports, 1);
    const stopped = await run.phase(`cycle ${n}: stop call`, watchBudget(stopLimit), () => session.stopCall(stopLimit));
    if (stopped.outcome === 'hung') problem = hangDiagnosis(stopLimit, stopped.hang) + ` (cycle ${n} of ${cycles})`;
    if (stopped.outcome === 'exited') problem = `the kernel process died during cycle ${n} of ${cycles} (${stopped.exit.exit.name})`;
    const read = await otherThreads(kernel.pid);
    // A dying process shows only its main thread: the count holds only if it still runs.
    const threads = (await processState(kernel.pid)) === 'alive' ? read?.length : undefined;
    const c: Cycle = {
      n,
      stopMs: stopped.outcome === 'done' ? stopped.waitedMs : undefined,
      threads,
      fds: await fdCount(kernel.pid),
      fileLeft: existsSync(session.connectionFile),
    };
    done.push(c);
    clients.close();
    run.metric('stop_ms', c.stopMs);
  }

  await run.attach('cycles', 'json', JSON.stringify(done, null, 2)); // per cycle: stop_ms, threads, descriptors, file
  const stops = done
    .map((c) => c.stopMs)
    .filter((x): x is number => x !== undefined)
    .sort((a, b) => a - b);
  run.metric('cycles', done.length);
  if (stops.length) {
    run.metric('stop_p50_ms', quantile(stops, 0.5));
    run.metric('stop_p99_ms', quantile(stops, 0.99));
  }
  const late = done.filter((c) => c.stopMs === undefined || c.stopMs > stopLimit);
  run.check(
    expectation(
      'stop-deadline',
      'every stop call within its deadline',
      late.length === 0 && done.length === cycles,
      stops.length ? Math.round(stops[stops.length - 1]! * 10) / 10 : 'none',
      stopLimit,
      'ms',
      late.length || done.length < cycles
        ? `${done.length - late.length} of ${cycles} stops on time; the first late one: cycle ${late[0]?.n ?? done.length + 1}`
        : `${cycles} stops: p50 ${quantile(stops, 0.5).toFixed(1)} ms, max ${stops[stops.length - 1]!.toFixed(1)} ms`,
    ),
  );
  const withThreads = done.filter((c) => c.threads !== undefined && c.threads > 0);
  const lastThreads = done.at(-1)?.threads;
  run.check(
    expectation(
      'no-threads',
      'no threads remain after any stop',
      withThreads.length === 0 && done.every((c) => c.threads !== undefined),
      lastThreads ?? 'process gone',
      0,
      'threads',
      withThreads.length
        ? `threads left after the stops: ${done.map((c) => c.threads ?? '-').join(', ')} (cycle 1 to ${done.length})`
        : done.every((c) => c.threads !== undefined)
          ? `only the main thread after each of ${done.length} stops`
          : `hilt could not look: the process died after the stop of cycle ${done.find((c) => c.threads === undefined)?.n ?? '?'}, ` +
            'before hilt could count its threads',
    ),
  );
  const fds = done.map((c) => c.fds).filter((x): x is number => x !== undefined);
  const grew = fds.length >= 2 ? fds[fds.length - 1]! - fds[0]! : 0;
  // No count at all has proven nothing: a failure that says why hilt could not look.
  run.check(
    expectation(
      'descriptors-at-baseline',
      'descriptors back to baseline after each stop',
      fds.length > 0 && grew === 0,
      fds.length ? grew : null,
      0,
      'descriptors',
      fds.length === 0
        ? 'hilt could not look: the process died right after the stop, before hilt could count its descriptors'
        : grew
          ? `open descriptors after each stop: ${fds.join(', ')} (+${(grew / Math.max(1, fds.length - 1)).toFixed(1)} per cycle)`
          : `${fds[0]} open after every stop`,
    ),
  );
  const fileLeft = done.filter((c) => c.fileLeft).map((c) => c.n);
  run.check(
    expectation(
      'connection-file-removed',
      'connection file removed at every stop',
      fileLeft.length === 0,
      fileLeft.length,
      0,
      'stops',
      fileLeft.length ? `still there after cycle(s) ${fileLeft.join(', ')}` : 'removed each time',
    ),
  );

  const lastStop = done.at(-1)?.stopMs ?? 0;
  const quitAt = now();
  const diedEarly = kernel.child.done;
  const ended = diedEarly ?? (await run.phase('quit', watchBudget(target.stop.deadlineMs), () => stopTarget(kernel)));
  const exitMs = diedEarly || ('escalated' in ended && ended.escalated) ? undefined : lastStop + (ended.endedAt - quitAt);
  run.metric('exit_ms', exitMs);
  run.check(
    withinLimit(
      'exit-deadline',
      'process exits within its deadline',
      exitMs,
      exitLimit,
      'ms',
      diedEarly ? 'the process died before it was asked to quit' : 'the last stop call to process gone (less the time hilt spent looking)',
    ),
  );
  const log = kernel.child.outputTail(5000);
  await run.attach('kernel', 'log', log);
  const exit = ended.exit;
  run.check(cleanExitCheck(ended.exit, crashSignatures(log)));
  const final = await session.target.snapshotWhenGone('final inventory', kernel.pid);
  run.check(backToBaseline(diffSnapshots(baseline, final).added));

  if (problem.startsWith('hang')) run.diagnosis = problem;
  else if (withThreads.length) {
    run.diagnosis =
      `leak: each stop returned (p50 ${quantile(stops, 0.5).toFixed(1)} ms) but left its channel threads running: ` +
      `${done.map((c) => c.threads ?? '-').join(', ')} threads after ${done.length === 1 ? 'cycle 1' : `cycles 1 to ${done.length}`}` +
      (grew ? `, and ${grew} more open descriptors` : '') +
      (exit.kind !== 'clean' ? `; the process then died (${exit.name}): a late write by a leaked thread into freed kernel state` : '') +
      ". The stop detached its threads instead of joining them (leak-on-stop; seed 001's leak-instead-of-join workaround).";
  } else if (exit.kind !== 'clean' && done.at(-1)?.stopMs !== undefined && done.at(-1)?.threads === undefined) {
    // It died right after a stop returned, before hilt could count its threads.
    run.diagnosis = leakDiagnosis(
      done.at(-1)!.stopMs!,
      { openClients: 0, listening: [], fileLeft: false },
      `${exit.name}, ${exit.description}`,
    );
  } else if (problem) run.diagnosis = problem;
});
