// threaded-init: a DJ app (docs/postmortems.md#3) died with "Fatal Python error:
// PyEval_RestoreThread ... the current Python thread state is NULL" when rtmidi was initialised
// inside a Tkinter button callback. The fix: defer with after(), initialise on a worker thread,
// hand the result back through a queue, time out after 5 s, fall back to a simulation mode the
// user is told about. hilt presses the Start button with a real X click (or asks the engine to
// start MIDI from its audio thread) and checks: no fatal signature, the loop that asked keeps
// beating, MIDI connected within its deadline (or simulation mode within 5 s plus a margin when
// the server is missing or silent), the round-trip works, the exit is clean, no port is left.
import { expectation, withinLimit, type CheckResult } from '../harness/check/check.ts';
import { crashSignatures } from '../harness/check/crash-signature.ts';
import { backToBaseline } from '../harness/check/orphans.ts';
import { diffSnapshots } from '../harness/inventory/snapshot.ts';
import { jackEnv, MIDI_SERVERS, requirePipewireJack, SilentJackServer, type MidiServer } from '../harness/midi/jack-env.ts';
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
import { initDiagnosis } from './lib/init-diagnosis.ts';

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

  // The loop that asked must keep beating while MIDI starts (measured from the app's own clock).
  const gap = subject.heartbeat.gap(init.askedAt, init.endedAt); // never past now: a window into the future reads as a gap
  run.metric('gui_max_gap_ms', gap.gapMs);
  run.check(
    withinLimit(
      'keeps-running',
      `${subject.where} keeps running during MIDI start-up`,
      gap.gapMs,
      gapLimit,
      'ms',
      `largest heartbeat gap (every ${heartbeatMs} ms) from the ${app === 'tk' ? 'click' : 'request'} to the outcome` +
        `${gap.ongoing && gap.gapMs > 2 * heartbeatMs ? ': no beat came after it' : ''}`,
    ),
  );

  const log = () => target.child.outputTail(5000);
  const fatal = crashSignatures(log());
  run.check(
    expectation(
      'no-fatal-signature',
      'no fatal signature during MIDI start-up',
      fatal.length === 0 && init.result !== 'exited',
      fatal[0] ?? (init.result === 'exited' ? `died: ${init.exit!.exit.name}` : 'none'),
      'none',
      '',
      fatal.length
        ? fatal.join('; ')
        : init.result === 'exited'
          ? `the app died during MIDI start-up (${init.exit!.exit.description})`
          : 'no "Fatal Python error", abort or sanitizer report',
    ),
  );

  if (app === 'engine') {
    const heldMs = init.requestMs;
    run.metric('request_ms', heldMs);
    const handedOff = heldMs !== undefined && init.initMs !== undefined && init.result !== 'hung' && heldMs < init.initMs;
    run.check(
      expectation(
        'handed-off',
        `MIDI start-up handed off the ${thread} thread`,
        handedOff,
        heldMs === undefined ? 'never returned' : `${heldMs.toFixed(1)} ms`,
        'returns before MIDI is up',
        '',
        heldMs === undefined
          ? `the ${thread} thread never got back from the request`
          : `the request held the ${thread} thread ${heldMs.toFixed(1)} ms; MIDI came up after ${init.initMs?.toFixed(1) ?? '?'} ms`,
      ),
    );
  }

  // The outcome: connected where MIDI exists, simulation (told to the user) where it does not.
  const outcomeCheck: CheckResult =
    midi === 'rig'
      ? withinLimit(
          'midi-connected',
          'MIDI connected within its deadline',
          init.result === 'connected' ? init.initMs : undefined,
          connectLimit,
          'ms',
          init.result === 'connected'
            ? `ports ${init.ports!.in}, ${init.ports!.out}`
            : `outcome: ${init.result}${init.reason ? ` (${init.reason})` : ''}`,
        )
      : withinLimit(
          'simulation-mode',
          `simulation mode within ${timeoutMs} ms plus a margin`,
          init.result === 'simulation' ? init.initMs : undefined,
          simulationLimit,
          'ms',
          init.result === 'simulation' ? `reason: ${init.reason}` : `outcome: ${init.result}${init.reason ? ` (${init.reason})` : ''}`,
        );
  run.check(outcomeCheck);
  if (app === 'tk' && (init.result === 'connected' || init.result === 'simulation')) {
    const shown = await subject.statusShown();
    const want = init.result === 'connected' ? /MIDI connected/ : /SIMULATION MODE/;
    run.check(
      expectation(
        'status-shown',
        'the user is told the MIDI status',
        !!shown && want.test(shown),
        shown ?? 'no window',
        want.source,
        '',
        `window title: "${shown}"`,
      ),
    );
  }

  // MIDI works after start-up: note on, note off and a sysex through the app and back.
  if (init.result === 'connected' && init.ports) {
    await run.phase('MIDI round-trip', 15_000, async () => {
      await probe.connect(init.ports!.out, init.ports!.in);
      const linkMs = await echoReady(probe);
      run.metric('midi_link_ms', linkMs);
      const latencies: number[] = [];
      for (const m of ROUND_TRIP_MESSAGES) {
        const rt = await roundTripOnce(probe, m.bytes, 1000);
        if (rt.latencyMs !== undefined) latencies.push(rt.latencyMs);
        run.check({
          ...withinLimit(
            'midi-round-trip',
            `MIDI round-trip: ${m.name}`,
            rt.latencyMs,
            1000,
            'ms',
            rt.ok
              ? `echoed by ${target.spec.name}${rt.retried ? ' (the first send was lost and retried once)' : ''}`
              : `no echo within 1000 ms, twice; received: ${rt.received.join(',') || 'nothing'}` +
                  `${linkMs === undefined ? '; nothing echoed since the connect either' : ''}`,
          ),
          subject: m.name,
        });
      }
      run.metric('midi_roundtrip_ms', latencies.length ? Math.max(...latencies) : undefined);
    });
  }
  const portsBefore = appPorts(await probe.ports(), subject.clientPrefix);
  run.fact('app midi ports', portsBefore.join(', ') || 'none');

  // Clean exit, then nothing of it left on the MIDI server or the audio server.
  const ended = target.child.done
    ? { ...target.child.done, escalated: false }
    : await run.phase('quit', watchBudget(target.spec.stop.deadlineMs), () => stopTarget(target));
  await run.attach(app === 'tk' ? 'tk-app' : 'engine', 'log', log());
  const { exit } = ended;
  const fatalAtEnd = crashSignatures(log());
  run.check(
    expectation(
      'clean-exit',
      'clean exit',
      exit.kind === 'clean' && !ended.escalated && fatalAtEnd.length === 0,
      exit.name,
      'exit 0',
      '',
      fatalAtEnd.length ? fatalAtEnd[0]! : ended.escalated ? 'it missed its stop deadline and was killed' : exit.description,
    ),
  );
  const gone = await run.phase('MIDI ports gone', 5000, () =>
    pollUntil(
      async () => {
        const left = appPorts(await probe.ports(), subject.clientPrefix);
        return left.length === 0 ? true : undefined;
      },
      { deadlineMs: 2000, intervalMs: 20 },
    ),
  );
  const left = gone.ok ? [] : appPorts(await probe.ports(), subject.clientPrefix);
  run.check(
    expectation(
      'midi-ports-gone',
      "the app's MIDI ports are gone after it ends",
      left.length === 0,
      left.length,
      0,
      'ports',
      left.length ? `still on the server: ${left.join(', ')}` : `${portsBefore.length} port(s) gone within ${Math.round(gone.waitedMs)} ms`,
    ),
  );
  const final = await session.snapshotWhenGone('final inventory', target.pid);
  run.check(backToBaseline(diffSnapshots(baseline, final).added));

  run.diagnosis =
    initDiagnosis({ app, mode, thread, midi, init, gap, gapLimit, fatal: fatalAtEnd, exit, bugs: options.bugs }) ?? run.diagnosis;
});
