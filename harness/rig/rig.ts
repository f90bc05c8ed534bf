// The Rig: the devices a run uses and the server that hosts them, as scenarios and checks see
// them. The virtual PipeWire rig is the first implementation; the host's own server
// (`--rig system`), a CoreAudio rig on macOS or a WASAPI one on Windows is another file like it.
import type { Capture } from '../audio/capture.ts';
import type { ToneSource } from '../audio/tone-source.ts';
import type { InventoryObject } from '../inventory/objects.ts';
import type { MidiPort } from '../inventory/parse-server.ts';
import type { Snapshot } from '../inventory/snapshot.ts';

export type RigKind = 'virtual' | 'system';

// The rig a run gets without --rig: the virtual rig is a private PipeWire (Linux only); on Windows
// and macOS the system's own devices (the WASAPI rig, the CoreAudio rig).
export const defaultRigKind = (os: NodeJS.Platform = process.platform): RigKind =>
  os === 'win32' || os === 'darwin' ? 'system' : 'virtual';

export interface Rig {
  readonly kind: RigKind;
  // The environment a target, a victim or a probe gets so that it plays into this rig.
  readonly env: Record<string, string>;
  // What a target gets: env, plus whatever sends its JACK (and other) clients to this rig.
  readonly targetEnv: Record<string, string>;
  // Is there an audio stream of one of these processes on the server (readiness by "stream")?
  hasStreamOf(pids: number[]): Promise<boolean>;
  // Every MIDI port on the server now, with its owner where the server knows it.
  midiPorts(): Promise<MidiPort[]>;
  // The observed output: the device victims play into and targets are pointed at (${output}).
  readonly outputSink: string;
  // A continuous capture of the observed output, where tones are heard present or absent.
  readonly capture: Capture;
  readonly timings: { readyMs: number; healthMs: number; lockWaitMs?: number }; // lockWaitMs: a shared rig's lock
  // Facts for the report about where the run happened (the system rig: the loopback measured,
  // other programs that played meanwhile); read after stop().
  readonly notes?: readonly string[];
  // A victim: an app playing a steady tone on the observed output under its own name.
  playTone(appName: string, hz: number, amplitude?: number): ToneSource;
  // The device a named app's stream is routed to now (a tap moves it away from the output).
  routeOf(appName: string): Promise<string | undefined>;
  // EVERY object on the server, with the owning process where the server knows it: a black box
  // is judged by what is new here, not by names it was told to use.
  serverInventory(): Promise<Snapshot>;
  // The objects `prefix` claims, read off the same whole-server inventory, and the processes
  // named with it: the reference engine names all it makes <prefix>-<pid>[-...].
  inventory(prefix: string): Promise<Snapshot>;
  // Removes what a target left, from either inventory (modules unloaded, nodes and links
  // destroyed, each found again as it is now); a sentence per object removed.
  removeLeftovers(objects: InventoryObject[]): Promise<string[]>;
  // The server's name and version ("PipeWire", "0.3.65"), for the summary's platform.
  serverInfo(): Promise<{ name: string; version: string } | undefined>;
  // The server restarted under whatever plays (server-restart): only a rig hilt started itself has
  // one to restart; hilt's own clients are made again, times from the first SIGTERM.
  restartServer?(what: 'pulse' | 'stack'): Promise<{ downMs: number; backMs: number }>;
  stop(): Promise<void>;
}
