// midi-orphans: an app is kill -9'd with its MIDI ports open and a peer connected to them. The
// server must drop its clients and ports with it; anything that keeps them (a forked child that
// inherited the connection, a helper that outlives its parent) leaves ports other apps still see
// and connect to. Asked of the MIDI server itself, never of the app. The Tk app and the reference
// engine (trait midi-init) get an echo proof first; any other program is a black box.
// The MIDI apps are not on the fault pipeline (lib/pipeline.ts): no victim tone, their proof is an echo.
import { judgeMidiOrphans, midiHolders, type MidiOrphansObservation } from '../harness/check/midi-orphans.ts';
import { diffSnapshots } from '../harness/inventory/snapshot.ts';
import { jackEnv, requirePipewireJack } from '../harness/midi/jack-env.ts';
import { openMidiProbe } from '../harness/midi/open-probe.ts';
import { ROUND_TRIP_MESSAGES } from '../harness/midi/probe.ts';
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { HiltError } from '../harness/errors.ts';
import { watchBudget } from '../harness/watchdog/watchdog.ts';
import { pollUntil } from '../harness/wait.ts';
import { TargetSession } from './lib/target-session.ts';
import { launchMidiApp, requireMidiApp } from './lib/midi-launch.ts';
import { appPorts, echoReady, roundTripOnce } from './lib/midi-app.ts';
import { runMidiBlackBox } from './lib/blackbox-midi.ts';

defineScenario(SCENARIOS['midi-orphans'], async (ctx) => {
  // Any program: judged from the MIDI server and the OS (scenarios/lib/blackbox-midi.ts).
  if (!ctx.target.traits.includes('midi-init')) return runMidiBlackBox(ctx);
  const { run, rig, options } = ctx;
  const app = ctx.params.word<'tk' | 'engine'>('app');
  const goneLimit = ctx.params.number('gone_ms');
  requirePipewireJack();
  requireMidiApp(app);
  const session = new TargetSession(ctx);
  const probe = await run.phase('MIDI probe', 8000, () => openMidiProbe(rig));
  ctx.defer(() => probe.destroy());
  run.fact('midi probe', probe.describe);
  const baseline = await run.phase('baseline inventory', 5000, () => session.snapshot());

  const subject = await launchMidiApp(ctx, session, {
    app,
    env: jackEnv(rig.env, 'rig'),
    mode: 'deferred',
    thread: 'main',
    heartbeatMs: 50,
    timeoutMs: 5000,
  });
  const target = subject.target;
  const init = await run.phase('MIDI start-up', watchBudget(3000), () => subject.startMidi(3000));
  if (init.result !== 'connected' || !init.ports) {
    throw new HiltError('TARGET_NOT_READY', `${target.spec.name} did not connect its MIDI`, {
      expected: 'MIDI connected within 3000 ms',
      seen: `${init.result}${init.reason ? `: ${init.reason}` : ''}\n${target.child.outputTail(10)}`,
    });
  }
  await run.phase('probe connected to the app', 5000, () => probe.connect(init.ports!.out, init.ports!.in));
  await echoReady(probe);
  const echo = await roundTripOnce(probe, ROUND_TRIP_MESSAGES[0]!.bytes, 1000);
  const before = appPorts(await probe.ports(), subject.clientPrefix);
  run.fact('app midi ports', before.join(', '));

  target.child.signal('SIGKILL');
  const ended = await run.phase('SIGKILL', 5000, () => target.child.exited);
  const gone = await run.phase('MIDI ports gone', goneLimit + 3000, () =>
    pollUntil(async () => appPorts(await probe.ports(), subject.clientPrefix).length === 0 || undefined, {
      deadlineMs: goneLimit,
      intervalMs: 10,
    }),
  );
  run.metric('ports_gone_ms', gone.ok ? gone.waitedMs : undefined);
  const left = gone.ok ? [] : appPorts(await probe.ports(), subject.clientPrefix);
  const final = await session.snapshotWhenGone('final inventory', target.pid);
  const diff = diffSnapshots(baseline, final);

  const observation: MidiOrphansObservation = {
    kind: 'midi-orphans',
    target: { name: target.spec.name, pid: target.pid },
    app,
    bugs: options.bugs,
    goneLimitMs: goneLimit,
    echo: { ok: echo.ok, ...(echo.ok && echo.latencyMs !== undefined && { latencyMs: echo.latencyMs }) },
    portsBefore: before,
    exit: ended.exit,
    ...(gone.ok && { portsGoneMs: gone.waitedMs }),
    portsLeft: left,
    notBaseline: diff.added,
  };
  await run.attach('observation', 'json', JSON.stringify(observation, null, 2));
  const judged = judgeMidiOrphans(observation);
  for (const c of judged.checks) run.check(c);
  if (judged.diagnosis) run.diagnosis = judged.diagnosis;

  // hilt's own clean-up after the checks: a survivor holding the dead app's connection is
  // SIGKILLed (it ignores SIGTERM), and the server then drops the ports; both are evidence.
  const leftovers = midiHolders(diff.added);
  if (leftovers.length) {
    for (const o of leftovers) {
      try {
        if (o.ownerPid) process.kill(o.ownerPid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    const dropped = await pollUntil(async () => appPorts(await probe.ports(), subject.clientPrefix).length === 0 || undefined, {
      deadlineMs: 2000,
      intervalMs: 10,
    });
    await run.attach(
      'hilt-cleanup',
      'text',
      `after the checks hilt SIGKILLed ${leftovers.map((o) => o.name).join(', ')}; ` +
        `the app's MIDI ports were ${dropped.ok ? `gone ${Math.round(dropped.waitedMs)} ms later` : 'still there 2000 ms later'}\n`,
    );
    const sweep = await session.snapshotWhenGone("inventory after hilt's clean-up", target.pid);
    await session.sweepLeftovers(diffSnapshots(baseline, sweep));
  }
  await run.attach(app === 'tk' ? 'tk-app' : 'engine', 'log', target.child.outputTail(5000));
});
