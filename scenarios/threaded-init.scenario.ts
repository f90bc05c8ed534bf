// threaded-init: a DJ app (docs/postmortems.md#3) died with "Fatal Python error:
// PyEval_RestoreThread ... the current Python thread state is NULL" when rtmidi was initialised
// inside a Tkinter button callback. The fix: defer with after(), initialise on a worker thread,
// hand the result back through a queue, time out after 5 s, fall back to a simulation mode the
// user is told about. hilt presses the Start button with a real X click (or asks the engine to
// start MIDI from its audio thread) and checks: no fatal signature, the loop that asked keeps
// beating, MIDI connected within its deadline (or simulation mode within 5 s plus a margin when
// the server is missing or silent), the round-trip works, the exit is clean, no port is left.
// The run records what it saw as one observation; harness/check/threaded-init.ts judges it.
// Not the fault pipeline (lib/pipeline.ts): the fault is a click or a request inside the app, and it must live on.
import { crashSignatures } from '../harness/check/crash-signature.ts';
import { judgeThreadedInit, startupGap, type RoundTripObserved, type ThreadedInitObservation } from '../harness/check/threaded-init.ts';
import { diffSnapshots } from '../harness/inventory/snapshot.ts';
import { jackEnv, requirePipewireJack, SilentJackServer, type MidiServer } from '../harness/midi/jack-env.ts';
import { openMidiProbe } from '../harness/midi/open-probe.ts';
import { ROUND_TRIP_MESSAGES, type MidiProbe } from '../harness/midi/probe.ts';
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { stopTarget } from '../harness/target/launch.ts';
import { watchBudget } from '../harness/watchdog/watchdog.ts';
import { pollUntil } from '../harness/wait.ts';
import { TargetSession } from './lib/target-session.ts';
import { appPorts, echoReady, roundTripOnce, type InitOutcome } from './lib/midi-app.ts';
import { launchMidiApp, requireMidiApp } from './lib/midi-launch.ts';

defineScenario(SCENARIOS['threaded-init'], async (ctx) => {
  const { run, rig, options } = ctx;
  const app = ctx.params.word<'tk' | 'engine'>('app');
  const midi = ctx.params.word<MidiServer>('midi');
  const mode = options.bugs.includes('gil-null') ? 'gil-null' : ctx.params.word<'direct' | 'deferred'>('mode');
  const thread = ctx.params.word<'main' | 'audio' | 'worker'>('thread');
  const heartbeatMs = ctx.params.number('heartbeat_ms');
  const gapLimit = ctx.params.number('gap_ms');
  const connectLimit = ctx.params.number('connect_ms');
  const timeoutMs = ctx.params.number('midi_timeout_ms');
  const simulationLimit = timeoutMs + ctx.params.number('margin_ms');
  run.fact('app', app === 'tk' ? `Tk app, mode ${mode}` : `engine, MIDI asked from the ${thread} thread`);
  run.fact(
    'midi server',
    {
      rig: "JACK MIDI through the rig's pipewire-jack",
      absent: 'none (no JACK server)',
      silent: 'a socket that accepts and never answers',
    }[midi],
  );

  requirePipewireJack();
  requireMidiApp(app);
  const session = new TargetSession(ctx);
  const probe: MidiProbe = await run.phase('MIDI probe', 8000, () => openMidiProbe(rig));
  ctx.defer(() => probe.destroy());
  run.fact('midi probe', probe.describe);
  let silent: SilentJackServer | undefined;
  if (midi === 'silent') {
    silent = await SilentJackServer.start();
    ctx.defer(() => silent!.stop());
  }
  const env = jackEnv(rig.env, midi, silent);
  const baseline = await run.phase('baseline inventory', 5000, () => session.snapshot());

  // Launch the app, then press Start (or send the control line).
  const subject = await launchMidiApp(ctx, session, { app, env, mode, thread, heartbeatMs, timeoutMs });
  const target = subject.target;
  const deadline = midi === 'rig' ? connectLimit : simulationLimit;
  const init: InitOutcome = await run.phase('MIDI start-up', watchBudget(deadline), () => subject.startMidi(deadline));
  run.metric('init_ms', init.initMs);
  // The beats around the start-up (the app's own clock): the last one before the ask opens the window.
  const all = subject.heartbeat.beats.filter((t) => t <= init.endedAt);
  const beats = all.slice(Math.max(0, all.filter((t) => t <= init.askedAt).length - 1)); // one thread's clock: in order
  const log = () => target.child.outputTail(5000);
  const signaturesAtInit = crashSignatures(log());
  if (app === 'engine') run.metric('request_ms', init.requestMs);

  const status =
    app === 'tk' && (init.result === 'connected' || init.result === 'simulation') ? { title: await subject.statusShown() } : undefined;

  // MIDI works after start-up: note on, note off and a sysex through the app and back.
  let roundTrip: ThreadedInitObservation['roundTrip'];
  if (init.result === 'connected' && init.ports) {
    roundTrip = await run.phase('MIDI round-trip', 15_000, async () => {
      await probe.connect(init.ports!.out, init.ports!.in);
      const linkMs = await echoReady(probe);
      run.metric('midi_link_ms', linkMs);
      const messages: RoundTripObserved[] = [];
      for (const m of ROUND_TRIP_MESSAGES) {
        const rt = await roundTripOnce(probe, m.bytes, 1000);
        messages.push({
          name: m.name,
          ok: rt.ok,
          ...(rt.latencyMs !== undefined && { latencyMs: rt.latencyMs }),
          retried: rt.retried,
          received: rt.received,
        });
      }
      const latencies = messages.map((m) => m.latencyMs).filter((x): x is number => x !== undefined);
      run.metric('midi_roundtrip_ms', latencies.length ? Math.max(...latencies) : undefined);
      return { ...(linkMs !== undefined && { linkMs }), messages };
    });
  }
  const portsBefore = appPorts(await probe.ports(), subject.clientPrefix);
  run.fact('app midi ports', portsBefore.join(', ') || 'none');

  // Quit, then look for anything of it left on the MIDI server or the audio server.
  const ended = target.child.done
    ? { ...target.child.done, escalated: false }
    : await run.phase('quit', watchBudget(target.spec.stop.deadlineMs), () => stopTarget(target));
  await run.attach(app === 'tk' ? 'tk-app' : 'engine', 'log', log());
  const gone = await run.phase('MIDI ports gone', 5000, () =>
    pollUntil(
      async () => {
        const left = appPorts(await probe.ports(), subject.clientPrefix);
        return left.length === 0 ? true : undefined;
      },
      { deadlineMs: 2000, intervalMs: 20 },
    ),
  );
  const portsLeft = gone.ok ? [] : appPorts(await probe.ports(), subject.clientPrefix);
  const final = await session.snapshotWhenGone('final inventory', target.pid);

  const observation: ThreadedInitObservation = {
    kind: 'threaded-init',
    target: { name: target.spec.name, pid: target.pid },
    bugs: options.bugs,
    app,
    midi,
    mode,
    thread,
    where: subject.where,
    limits: { heartbeatMs, gapMs: gapLimit, connectMs: connectLimit, timeoutMs, simulationMs: simulationLimit },
    init: {
      result: init.result,
      askedAt: init.askedAt,
      endedAt: init.endedAt,
      ...(init.initMs !== undefined && { initMs: init.initMs }),
      ...(init.ports && { ports: init.ports }),
      ...(init.reason !== undefined && { reason: init.reason }),
      ...(init.requestMs !== undefined && { requestMs: init.requestMs }),
      ...(init.hang && { hang: { waits: init.hang.waits, ...(init.hang.stacks.stacks && { stacks: init.hang.stacks.stacks }) } }),
      ...(init.exit && { died: init.exit.exit }),
    },
    beats,
    signaturesAtInit,
    ...(status && { status }),
    ...(roundTrip && { roundTrip }),
    portsBefore,
    exit: ended.exit,
    escalated: ended.escalated,
    signatures: crashSignatures(log()),
    portsLeft,
    portsGoneMs: gone.waitedMs,
    notBaseline: diffSnapshots(baseline, final).added,
  };
  run.metric('gui_max_gap_ms', startupGap(observation).gapMs);
  await run.attach('observation', 'json', JSON.stringify(observation, null, 2));
  const judged = judgeThreadedInit(observation);
  for (const c of judged.checks) run.check(c);
  if (judged.diagnosis) run.diagnosis = judged.diagnosis;
});
