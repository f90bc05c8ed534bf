// kernel-stop: the Max Jupyter kernel (docs/postmortems.md#2) hung on quit: its channel threads
// slept in poll(-1), the stop flag was read only after a message, and the join waited forever.
// With idle clients connected, the stop call must return within its deadline, the process exit
// within its own, and the kernel leave no thread, connection, port, file or server object behind.
// Not the fault flow: no victim is tapped and the fault is a stop call answered over its socket.
import { existsSync } from 'node:fs';
import { expectation, withinLimit } from '../harness/check/check.ts';
import { backToBaseline } from '../harness/check/orphans.ts';
import { diffSnapshots } from '../harness/inventory/snapshot.ts';
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { stopTarget } from '../harness/target/launch.ts';
import { endOf, watchBudget } from '../harness/watchdog/watchdog.ts';
import { now } from '../harness/wait.ts';
import { cleanExit, hangDiagnosis, KernelSession, leakDiagnosis, threadNames, type AfterStop } from './lib/kernel-session.ts';

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
  run.check(
    expectation(
      'connection-file-written',
      'connection file written at start',
      Object.keys(ports).length >= 1,
      Object.keys(ports).length,
      '>= 1',
      'ports',
      `${session.connectionFile}: ${Object.entries(ports)
        .map(([c, p]) => `${c}=${p}`)
        .join(' ')}`,
    ),
  );
  const clients = await session.connectClients(ports, perChannel);
  const echo = await clients.echo('hb');
  run.check(
    withinLimit(
      'heartbeat-answered',
      'kernel answers on its heartbeat before the stop',
      echo,
      1000,
      'ms',
      'a line out on hb and its echo back',
    ),
  );
  run.fact('clients', `${clients.clients.length} idle (${perChannel} per channel: ${Object.keys(ports).join(', ')})`);

  // The stop call, under the watchdog.
  const stopAt = now();
  const stopped = await run.phase('stop call', watchBudget(stopLimit), () => session.stopCall(stopLimit));
  const stopMs = stopped.outcome === 'done' ? stopped.waitedMs : undefined;
  run.metric('stop_ms', stopMs);
  run.check(
    withinLimit(
      'stop-deadline',
      'stop call returns within its deadline',
      stopMs,
      stopLimit,
      'ms',
      stopped.outcome === 'hung'
        ? `no answer: ${stopped.hang.waits}`
        : stopped.outcome === 'exited'
          ? 'the process ended before answering'
          : '"stop" to "kernel stopped"',
    ),
  );

  // What the stop left, looked at from outside while the app still runs.
  let after: AfterStop | undefined;
  if (stopped.outcome === 'done') {
    after = await run.phase('after the stop: threads, clients, ports, file', 5000, () => session.afterStop(ports, clients));
    const left = after.threads;
    run.metric('threads_after_stop', left?.length);
    // A process that died before hilt could read its threads has proven nothing: a failure.
    run.check(
      expectation(
        'no-threads',
        'no threads remain after the stop',
        !!left && left.length === 0,
        left ? left.length : null,
        0,
        'threads',
        !left
          ? 'hilt could not look: the process died right after the stop returned, before hilt could count its threads'
          : left.length
            ? `still running: ${threadNames(left)}`
            : 'only the main thread is left (/proc/<pid>/task)',
      ),
    );
    run.check(
      expectation(
        'clients-disconnected',
        'idle clients disconnected by the stop',
        after.openClients === 0,
        after.openClients,
        0,
        'connections',
        after.openClients
          ? `${after.openClients} of ${clients.clients.length} still connected 500 ms after the stop returned`
          : `all ${clients.clients.length} connections closed by the kernel`,
      ),
    );
    run.check(
      expectation(
        'ports-released',
        'ports released by the stop',
        after.listening.length === 0,
        after.listening.length,
        0,
        'ports',
        after.listening.length ? `still accepting connections: ${after.listening.join(', ')}` : 'every port refuses connections',
      ),
    );
  }
  const fileLeft = after ? after.fileLeft : existsSync(session.connectionFile);
  run.check(
    expectation(
      'connection-file-removed',
      'connection file removed',
      !fileLeft,
      fileLeft ? 'present' : 'gone',
      'gone',
      '',
      fileLeft ? `${session.connectionFile} is still there` : 'removed by the stop',
    ),
  );
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
  run.check(
    withinLimit(
      'exit-deadline',
      'process exits within its deadline',
      exitMs,
      exitLimit,
      'ms',
      'stop call to process gone (less the time hilt spent looking after the stop)',
    ),
  );
  const log = kernel.child.outputTail(5000);
  await run.attach('kernel', 'log', log);
  const exit = ended.exit;
  run.check(cleanExit(ended, log));

  const final = await session.target.snapshotWhenGone('final inventory', kernel.pid);
  run.check(backToBaseline('no-orphans', 'no orphans', diffSnapshots(baseline, final)));
  run.check(
    expectation(
      'no-process-left',
      'no kernel process remains',
      !final.objects.some((o) => o.kind === 'process' && o.ownerPid === kernel.pid),
      kernel.pid,
      'gone',
      '',
      `pid ${kernel.pid} is gone`,
    ),
  );

  if (stopped.outcome === 'hung') run.diagnosis = hangDiagnosis(stopLimit, stopped.hang);
  else if (after && (!after.threads || after.threads.length || after.openClients || after.listening.length)) {
    run.diagnosis = leakDiagnosis(stopMs!, after, exit.kind === 'clean' ? undefined : `${exit.name}, ${exit.description}`);
  }
});
