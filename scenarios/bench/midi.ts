// Figures for threaded init and MIDI (issue 6): MIDI start-up time and the largest GUI (or
// audio-thread) heartbeat gap during it, from the threaded-init scenario; and the round-trip
// latency of note on, note off and sysex through the engine's echo, many times over one rig.
import type { Summary } from '../../harness/report/summary.ts';
import { JackMidiProbe } from '../../harness/midi/jack-probe.ts';
import { jackEnv } from '../../harness/midi/jack-env.ts';
import { ROUND_TRIP_MESSAGES } from '../../harness/midi/probe.ts';
import { OBSERVED_SINK, VirtualRig } from '../../harness/rig/virtual-rig.ts';
import { DEFAULT_TARGET, loadTargetSpec } from '../../harness/target/config.ts';
import { launchTarget, stopTarget } from '../../harness/target/launch.ts';
import { echoReady } from '../lib/midi-app.ts';
import { say, stats, stats99 } from '../../harness/report/figures.ts';

type RunScenario = (args: string[]) => Promise<Summary>;

export async function midiFigures(runs: number, roundTrips: number, scenario: RunScenario): Promise<void> {
  const cases: [string, string[]][] = [
    ['Tk app, deferred, JACK MIDI        ', ['--set', 'app=tk']],
    ['Tk app, deferred, silent server    ', ['--set', 'app=tk', '--set', 'midi=silent']],
    ['Tk app, direct, JACK MIDI          ', ['--set', 'app=tk', '--set', 'mode=direct']],
    ['engine, from the audio thread      ', ['--set', 'app=engine', '--set', 'thread=audio']],
  ];
  say(`MIDI start-up (threaded-init; click or request to outcome) and the largest heartbeat gap during it (50 ms beat); ${runs} runs each`);
  for (const [label, args] of cases) {
    const init: number[] = [];
    const gap: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = await scenario(['threaded-init', ...args]);
      if (s.metrics.init_ms !== undefined) init.push(s.metrics.init_ms);
      if (s.metrics.gui_max_gap_ms !== undefined) gap.push(s.metrics.gui_max_gap_ms);
    }
    if (init.length) say(`  ${label} init ${stats(init)}`);
    if (gap.length) say(`  ${' '.repeat(label.length)} gap  ${stats(gap)}`);
  }

  // Round-trips: probe -> engine input -> echo from the engine's MIDI callback -> probe.
  const rig = await VirtualRig.start({ healthCheck: false });
  try {
    const spec = loadTargetSpec(DEFAULT_TARGET, { output: OBSERVED_SINK });
    const env = jackEnv(rig.env, 'rig');
    const engine = await launchTarget(spec, env, [], {});
    const probe = await JackMidiProbe.open(rig.env);
    try {
      const up = engine.child.nextLine(/midi: connected in [\d.]+ ms in=(\S+) out=(\S+)/);
      engine.child.stdin?.write('midi-start main\n');
      const line = await up;
      const [, inPort, outPort] = /in=(\S+) out=(\S+)/.exec(line)!;
      await probe.connect(outPort!, inPort!);
      await echoReady(probe); // a fresh link carries nothing for a moment
      say(`MIDI round-trip through the engine's echo (JACK MIDI via pipewire-jack, default quantum; timed in the probe)`);
      for (const m of ROUND_TRIP_MESSAGES) {
        const lat: number[] = [];
        let lost = 0;
        for (let i = 0; i < roundTrips; i++) {
          const rt = await probe.roundTrip(m.bytes, 1000);
          if (rt.latencyMs !== undefined) lat.push(rt.latencyMs);
          else lost++;
        }
        say(`  ${m.name.padEnd(9)} ${lat.length ? stats99(lat) : 'no echo'}${lost ? `  lost ${lost}` : ''}`);
      }
    } finally {
      await probe.destroy();
      await stopTarget(engine);
    }
  } finally {
    await rig.stop();
  }
}
