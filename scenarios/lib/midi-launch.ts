// Launching a MIDI app for a scenario: the Tk app on a private X display, or the engine with its
// audio-thread heartbeat, both pointed at the MIDI server the scenario chose.
import { XDisplay } from '../../harness/gui/x-display.ts';
import type { ScenarioContext } from '../../harness/scenario/define.ts';
import type { TargetSession } from './target-session.ts';
import { EngineApp, requirePythonTkRtmidi, TkApp, type MidiApp } from './midi-app.ts';

export interface MidiAppOptions {
  app: 'tk' | 'engine';
  env: Record<string, string>; // the rig's, with the MIDI server's on top (jackEnv)
  mode: string; // Tk: direct | deferred | gil-null
  thread: string; // engine: where MIDI is asked from
  heartbeatMs: number;
  timeoutMs: number; // the app's own MIDI start-up timeout
}

export function requireMidiApp(app: 'tk' | 'engine'): void {
  if (app === 'tk') requirePythonTkRtmidi();
}

export async function launchMidiApp(ctx: ScenarioContext, session: TargetSession, o: MidiAppOptions): Promise<MidiApp> {
  const { run } = ctx;
  if (o.app === 'engine') {
    const target = await session.launch('engine up', {
      env: o.env,
      args: ['--heartbeat-ms', String(o.heartbeatMs), '--midi-timeout-ms', String(o.timeoutMs)],
      tailLines: 5000,
    });
    return new EngineApp(target, o.thread);
  }
  const display = await run.phase('private X display', 8000, () => XDisplay.start());
  ctx.defer(() => display.stop());
  run.metric('x_display_ms', display.startMs);
  const target = await session.launch('Tk app up', {
    env: { ...o.env, ...display.env },
    vars: { mode: o.mode, midi_timeout_s: String(o.timeoutMs / 1000), heartbeat_ms: String(o.heartbeatMs) },
    tailLines: 5000,
  });
  return new TkApp(target, await target.child.waitForLine(target.spec.ready.stdout!), display);
}
