// kernel-stop: the Max Jupyter kernel (docs/postmortems.md#2) hung on quit: its channel threads
// slept in poll(-1), the stop flag was read only after a message, and the join waited forever.
// With idle clients connected, the stop call must return within its deadline, the process exit
// within its own, and the kernel leave no thread, connection, port, file or server object behind.
// Not the fault pipeline (lib/pipeline.ts): no victim is tapped and the fault is a stop call answered over its socket.
import { existsSync } from 'node:fs';
import { diffSnapshots } from '../harness/inventory/snapshot.ts';
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { stopTarget } from '../harness/target/launch.ts';
import { endOf, watchBudget } from '../harness/watchdog/watchdog.ts';
import { now } from '../harness/wait.ts';
import { KernelSession } from './lib/kernel-session.ts';
import { judgeKernelStop, type KernelStopObservation } from '../harness/check/kernel-stop.ts';
import { crashSignatures } from '../harness/check/crash-signature.ts';

defineScenario(SCENARIOS['kernel-stop'], async (ctx) => {
  const { run, target, options } = ctx;
  const stopLimit = ctx.params.number('stop_ms');
  const exitLimit = ctx.params.number('exit_ms');
  const perChannel = ctx.params.number('clients');
  const session = new KernelSession(ctx);

  const baseline = await run.phase('baseline inventory', 5000, () => session.target.snapshot());
  const kernel = await session.launch();
  const { ports, text: connection } = await session.ports();
  await run.attach('connection-file', 'json', connection);
  const clients = await session.connectClients(ports, perChannel);
  const heartbeatMs = await clients.echo('hb');
  run.fact('clients', `${clients.clients.length} idle (${perChannel} per channel: ${Object.keys(ports).join(', ')})`);

  // The stop call, under the watchdog.
  const stopAt = now();
  const stopped = await run.phase('stop call', watchBudget(stopLimit), () => session.stopCall(stopLimit));
  const stopMs = stopped.outcome === 'done' ? stopped.waitedMs : undefined;
  run.metric('stop_ms', stopMs);

  // What the stop left, looked at from outside while the app still runs.
  const after =
    stopped.outcome === 'done'
      ? await run.phase('after the stop: threads, clients, ports, file', 5000, () => session.afterStop(ports, clients))
      : undefined;
  run.metric('threads_after_stop', after?.threads?.length);
  const fileLeft = after ? after.fileLeft : existsSync(session.connectionFile);
  clients.close();

  // Quit the app; the exit is measured from the stop call, less the time hilt spent looking.
  let exitMs: number | undefined;
  let ended = stopped.outcome === 'done' ? undefined : endOf(stopped, kernel.child);
  if (!ended) {
    const quitAt = now();
    const quit = await run.phase('quit', watchBudget(target.stop.deadlineMs), () => stopTarget(kernel));
    ended = quit;
    // Gone before the quit (it died after the stop): measured from the stop call itself.
    if (!quit.escalated) exitMs = quit.endedAt < quitAt ? quit.endedAt - stopAt : stopMs! + (quit.endedAt - quitAt);
  }
  run.metric('exit_ms', exitMs);
  const log = kernel.child.outputTail(5000);
  await run.attach('kernel', 'log', log);
  const final = await session.target.snapshotWhenGone('final inventory', kernel.pid);

  const observation: KernelStopObservation = {
    kind: 'kernel-stop',
    target: { name: target.name, pid: kernel.pid },
    bugs: options.bugs,
    limits: { stopMs: stopLimit, exitMs: exitLimit },
    connectionFile: session.connectionFile,
    ports,
    clients: clients.clients.length,
    ...(heartbeatMs !== undefined && { heartbeatMs }),
    stop: {
      outcome: stopped.outcome,
      ...(stopMs !== undefined && { ms: stopMs }),
      ...(stopped.outcome === 'hung' && { hang: { waits: stopped.hang.waits, endedBy: stopped.hang.endedBy } }),
    },
    ...(after && { after }),
    fileLeft,
    ...(exitMs !== undefined && { exitMs }),
    exit: ended.exit,
    signatures: crashSignatures(log),
    notBaseline: diffSnapshots(baseline, final).added,
    processLeft: final.objects.some((o) => o.kind === 'process' && o.ownerPid === kernel.pid),
  };
  await run.attach('observation', 'json', JSON.stringify(observation, null, 2));
  const judged = judgeKernelStop(observation);
  for (const c of judged.checks) run.check(c);
  if (judged.diagnosis) run.diagnosis = judged.diagnosis;
});
