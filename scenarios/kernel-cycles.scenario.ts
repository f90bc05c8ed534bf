// kernel-cycles: the kernel started and stopped again and again in one app, as a Max user
// starts and stops a kernel object. Each stop must be on time and leave threads, descriptors and
// the connection file where they were; a leak of one thread per stop shows up as a trend here.
// Not the fault pipeline (lib/pipeline.ts): many start/stop cycles inside one process, recorded as
// one observation and judged as a series by harness/check/kernel-cycles.ts.
import { existsSync } from 'node:fs';
import { judgeKernelCycles, type KernelCycle, type KernelCyclesObservation } from '../harness/check/kernel-cycles.ts';
import { quantile } from '../harness/report/figures.ts';
import { fdCount, otherThreads } from '../harness/inventory/threads.ts';
import { diffSnapshots, processState } from '../harness/inventory/snapshot.ts';
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { stopTarget } from '../harness/target/launch.ts';
import { watchBudget } from '../harness/watchdog/watchdog.ts';
import { now } from '../harness/wait.ts';
import { crashSignatures } from '../harness/check/crash-signature.ts';
import { KernelSession } from './lib/kernel-session.ts';

defineScenario(SCENARIOS['kernel-cycles'], async (ctx) => {
  const { run, target, options } = ctx;
  const cycles = ctx.params.number('cycles');
  const stopLimit = ctx.params.number('stop_ms');
  const exitLimit = ctx.params.number('exit_ms');
  const session = new KernelSession(ctx);

  const baseline = await run.phase('baseline inventory', 5000, () => session.target.snapshot());
  const kernel = await session.launch();
  const done: KernelCycle[] = [];
  let startFailed: KernelCyclesObservation['startFailed'];
  // Until a start or stop call does not answer: the judge says why the series ended there.
  for (let n = 1; n <= cycles; n++) {
    if (n > 1) {
      const started = await session.start();
      if (started.outcome === 'exited') startFailed = { cycle: n, outcome: 'exited', died: started.exit.exit.name };
      if (started.outcome === 'hung') startFailed = { cycle: n, outcome: 'hung', waits: started.hang.waits };
      if (startFailed) break;
    }
    const { ports } = await session.ports();
    const clients = await session.connectClients(ports, 1);
    const stopped = await run.phase(`cycle ${n}: stop call`, watchBudget(stopLimit), () => session.stopCall(stopLimit));
    const read = await otherThreads(kernel.pid);
    // A dying process shows only its main thread: the count holds only if it still runs.
    const threads = (await processState(kernel.pid)) === 'alive' ? read?.length : undefined;
    const fds = await fdCount(kernel.pid);
    const c: KernelCycle = {
      n,
      stop: stopped.outcome,
      ...(stopped.outcome === 'done' && { stopMs: stopped.waitedMs }),
      ...(stopped.outcome === 'hung' && { hang: { waits: stopped.hang.waits, endedBy: stopped.hang.endedBy } }),
      ...(stopped.outcome === 'exited' && { died: stopped.exit.exit.name }),
      ...(threads !== undefined && { threads }),
      ...(fds !== undefined && { fds }),
      fileLeft: existsSync(session.connectionFile),
    };
    done.push(c);
    clients.close();
    run.metric('stop_ms', c.stopMs);
    if (stopped.outcome !== 'done') break;
  }

  await run.attach('cycles', 'json', JSON.stringify(done, null, 2)); // per cycle: stopMs, threads, descriptors, file (the bench reads it)
  const stops = done.map((c) => c.stopMs).filter((x): x is number => x !== undefined);
  run.metric('cycles', done.length);
  if (stops.length) {
    run.metric('stop_p50_ms', quantile(stops, 0.5));
    run.metric('stop_p99_ms', quantile(stops, 0.99));
  }

  const lastStop = done.at(-1)?.stopMs ?? 0;
  const quitAt = now();
  const diedEarly = kernel.child.done;
  const ended = diedEarly ?? (await run.phase('quit', watchBudget(target.stop.deadlineMs), () => stopTarget(kernel)));
  const exitMs = diedEarly || ('escalated' in ended && ended.escalated) ? undefined : lastStop + (ended.endedAt - quitAt);
  run.metric('exit_ms', exitMs);
  const log = kernel.child.outputTail(5000);
  await run.attach('kernel', 'log', log);
  const final = await session.target.snapshotWhenGone('final inventory', kernel.pid);

  const observation: KernelCyclesObservation = {
    kind: 'kernel-cycles',
    target: { name: target.name, pid: kernel.pid },
    bugs: options.bugs,
    count: cycles,
    limits: { stopMs: stopLimit, exitMs: exitLimit },
    cycles: done,
    ...(startFailed && { startFailed }),
    diedEarly: !!diedEarly,
    ...(exitMs !== undefined && { exitMs }),
    exit: ended.exit,
    signatures: crashSignatures(log),
    notBaseline: diffSnapshots(baseline, final).added,
  };
  await run.attach('observation', 'json', JSON.stringify(observation, null, 2));
  const judged = judgeKernelCycles(observation);
  for (const c of judged.checks) run.check(c);
  if (judged.diagnosis) run.diagnosis = judged.diagnosis;
});
