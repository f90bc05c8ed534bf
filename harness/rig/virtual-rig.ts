// The virtual rig: a private PipeWire + WirePlumber + pipewire-pulse in a runtime dir of its own
// (the user's audio session is never touched), a named null sink as the observed output, and a
// continuous capture of its monitor. Recipe and measured facts: docs/design.md.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reaper } from '../cleanup/reaper.ts';
import { HiltError } from '../errors.ts';
import { Child, stopChild } from '../proc/child.ts';
import { now, pollUntil } from '../wait.ts';
import { Capture } from '../audio/capture.ts';
import { ToneSource } from '../audio/tone-source.ts';
import { requireVirtualRigTools } from './requirements.ts';
import { pipewireJackEnv } from './jack.ts';
import { PipeWireRig } from './pipewire-rig.ts';
import type { Rig } from './rig.ts';

export const OBSERVED_SINK = 'hilt-observed';

// Without the first two WirePlumber exits 70 headless; the rest keep state out of $HOME so a
// run neither reads nor writes the user's stream and device preferences.
const WIREPLUMBER_CI = `default_access.properties["enable-flatpak-portal"] = false
alsa_monitor.properties["alsa.reserve"] = false
stream_defaults.properties["restore-target"] = false
stream_defaults.properties["restore-props"] = false
device_defaults.properties["use-persistent-storage"] = false
`;

// The observed output, made by PipeWire itself from its config (not a Pulse module): it is there
// as soon as the server is, and a restart of pipewire-pulse leaves it in place. Two channels at
// 48 kHz, as module-null-sink made it; the priority keeps it the default beside the engine's taps.
const OBSERVED_SINK_CONF = `context.objects = [
  { factory = adapter
    args = {
      factory.name = support.null-audio-sink
      node.name = "${OBSERVED_SINK}"
      node.description = "${OBSERVED_SINK}"
      media.class = "Audio/Sink"
      audio.position = [ FL FR ]
      priority.session = 2000
      monitor.channel-volumes = true
    }
  }
]
`;

// What a restart of each part stops and starts again, in start order.
type ServerPart = 'pipewire' | 'wireplumber' | 'pipewire-pulse';
const SERVER_PARTS: Record<'stack' | 'pulse', readonly ServerPart[]> = {
  stack: ['pipewire', 'wireplumber', 'pipewire-pulse'],
  pulse: ['pipewire-pulse'],
};

export interface RigTimings {
  serverMs: number; // spawn to pipewire socket
  pulseMs: number; // to `pactl info` answering
  readyMs: number; // whole start, sink and capture included
  healthMs: number; // tone out and back
}

export class VirtualRig extends PipeWireRig implements Rig {
  readonly kind = 'virtual';
  readonly outputSink = OBSERVED_SINK;
  capture!: Capture;
  timings: RigTimings = { serverMs: 0, pulseMs: 0, readyMs: 0, healthMs: 0 };
  private daemons: Child[] = [];
  private deadlineMs = 5000; // each daemon's start

  private constructor(
    readonly dir: string,
    readonly env: Record<string, string>,
  ) {
    super();
  }

  static async start(opts: { healthCheck?: boolean; deadlineMs?: number } = {}): Promise<VirtualRig> {
    requireVirtualRigTools();
    const t0 = now();
    const dir = await mkdtemp(join(tmpdir(), 'hilt-rig-'));
    reaper.trackDir(dir);
    const run = join(dir, 'run');
    await mkdir(run, { mode: 0o700 });
    await mkdir(join(dir, 'config', 'wireplumber', 'main.lua.d'), { recursive: true });
    await writeFile(join(dir, 'config', 'wireplumber', 'main.lua.d', '90-ci.lua'), WIREPLUMBER_CI);
    await mkdir(join(dir, 'config', 'pipewire', 'pipewire.conf.d'), { recursive: true });
    await writeFile(join(dir, 'config', 'pipewire', 'pipewire.conf.d', '90-hilt-observed.conf'), OBSERVED_SINK_CONF);
    const env: Record<string, string> = {
      XDG_RUNTIME_DIR: run,
      XDG_CONFIG_HOME: join(dir, 'config'),
      XDG_STATE_HOME: join(dir, 'state'),
      XDG_DATA_HOME: join(dir, 'data'),
      XDG_CACHE_HOME: join(dir, 'cache'),
      PULSE_SERVER: `unix:${join(run, 'pulse', 'native')}`,
      PIPEWIRE_RUNTIME_DIR: run,
      DBUS_SESSION_BUS_ADDRESS: 'disabled:',
      DISPLAY: '',
    };
    const rig = new VirtualRig(dir, env);
    rig.deadlineMs = opts.deadlineMs ?? 5000;
    try {
      await rig.startDaemons(SERVER_PARTS.stack, t0);
      await rig.startInventory();
      rig.capture = Capture.start(`${OBSERVED_SINK}.monitor`, env);
      rig.timings.readyMs = now() - t0;
      if (opts.healthCheck !== false) await rig.healthCheck();
      return rig;
    } catch (e) {
      await rig.stop();
      throw e;
    }
  }

  // The daemons of `parts`, in the order a desktop starts them, each awaited: the server's socket,
  // then pipewire-pulse answering, then the observed sink as the default.
  private async startDaemons(parts: readonly ServerPart[], t0: number): Promise<void> {
    const { env, deadlineMs: deadline } = this;
    const run = env.XDG_RUNTIME_DIR!;
    if (parts.includes('pipewire')) {
      this.daemons.push(new Child('pipewire', [], { name: 'pipewire', env }));
      const socket = await pollUntil(() => existsSync(join(run, 'pipewire-0')), { deadlineMs: deadline, intervalMs: 5 });
      if (!socket.ok) this.startFailed('pipewire', `no socket ${join(run, 'pipewire-0')} after ${deadline} ms`);
      this.timings.serverMs = now() - t0;
    }
    if (parts.includes('wireplumber')) this.daemons.push(new Child('wireplumber', [], { name: 'wireplumber', env }));
    this.daemons.push(new Child('pipewire-pulse', [], { name: 'pipewire-pulse', env }));
    const pulse = await pollUntil(async () => (await this.pactl(['info'], { reject: false })).exitCode === 0, {
      deadlineMs: deadline,
      intervalMs: 10,
    });
    if (!pulse.ok) this.startFailed('pipewire-pulse', `pactl info still failing after ${deadline} ms`);
    this.timings.pulseMs = now() - t0;
    // Made default: tapped streams fall back here when a tap goes away. The sink itself is
    // PipeWire's (90-hilt-observed.conf), so it outlives a restart of pipewire-pulse. Until
    // WirePlumber has linked it, set-default-sink answers "Not supported" (seen 1 in ~100 starts).
    const isDefault = await pollUntil(
      async () => (await this.pactl(['set-default-sink', OBSERVED_SINK], { reject: false })).exitCode === 0 || undefined,
      { deadlineMs: 3000, intervalMs: 20 },
    );
    if (!isDefault.ok) this.startFailed('pipewire-pulse', `set-default-sink ${OBSERVED_SINK} still refused after 3000 ms`);
  }

  // The audio server restarting under whatever plays (the server-restart scenario): `pulse` is
  // pipewire-pulse alone, `stack` the three daemons, each stopped as systemd stops it (SIGTERM)
  // and started again on the same sockets. hilt's own clients (the inventory helper, the
  // recorder) are made again; a target's are its own business. Times from the first SIGTERM.
  async restartServer(what: 'pulse' | 'stack'): Promise<{ downMs: number; backMs: number }> {
    const parts = SERVER_PARTS[what];
    const t0 = now();
    await this.stopInventory();
    const going = this.daemons.filter((d) => parts.includes(d.name as ServerPart)).reverse();
    for (const d of going) {
      d.signal('SIGCONT');
      await stopChild(d, 'SIGTERM', 2000);
    }
    this.daemons = this.daemons.filter((d) => !going.includes(d));
    const downMs = now() - t0;
    await this.startDaemons(parts, now());
    const backMs = now() - t0;
    await this.startInventory();
    await this.capture.reconnect();
    return { downMs, backMs };
  }

  // A tone out through the observed sink and back through its monitor, then silence again:
  // proves the capture hears presence and absence before any verdict depends on it.
  async healthCheck(deadlineMs = 3000): Promise<void> {
    const t0 = now();
    const probe = new ToneSource('hilt-health-probe', OBSERVED_SINK, this.env);
    const heard = await this.capture.waitFor('present', { after: t0, minRunMs: 50, deadlineMs });
    await probe.stop();
    const gone = await this.capture.waitFor('absent', { after: now(), minRunMs: 50, deadlineMs });
    this.timings.healthMs = now() - t0;
    if (!heard.ok || !gone.ok) {
      this.capture.assertRunning();
      throw new HiltError('RIG_HEALTH', 'rig health check failed: a 440 Hz tone did not make it out and back', {
        expected: 'tone present on the observed sink monitor within 3 s, then absent after the probe stopped',
        seen: heard.ok ? 'the tone never went away after the probe stopped' : `no tone heard after ${Math.round(heard.waitedMs)} ms`,
        hint: `inspect the rig: XDG_RUNTIME_DIR=${this.env.XDG_RUNTIME_DIR} pactl list short sink-inputs`,
      });
    }
  }

  get targetEnv(): Record<string, string> {
    return { ...this.env, ...pipewireJackEnv() };
  }

  // A daemon's pid ("pipewire-pulse"), for tests that wedge the rig on purpose.
  daemonPid(name: string): number | undefined {
    return this.daemons.find((d) => d.name === name && !d.done)?.pid;
  }

  async stop(): Promise<void> {
    await this.capture?.stop();
    await this.stopInventory();
    // Reverse order of start: clients of the server first, the server last.
    for (const d of [...this.daemons].reverse()) {
      d.signal('SIGCONT'); // a stopped daemon cannot act on SIGTERM
      await stopChild(d, 'SIGTERM', 2000);
    }
    this.daemons = [];
    await rm(this.dir, { recursive: true, force: true });
  }

  private startFailed(part: string, seen: string): never {
    const child = this.daemons.find((d) => d.name === part);
    throw new HiltError('RIG_START', `the virtual rig did not come up: ${part} is not ready`, {
      expected: `${part} ready within the rig's start deadline`,
      seen: `${seen}${child?.done ? ` (it exited: ${child.done.exitCode ?? child.done.signal})` : ''}\n${child?.outputTail(10) ?? ''}`,
      hint: 'run `pnpm run setup`; if WirePlumber exits 70, check the 90-ci.lua recipe in docs/design.md',
    });
  }
}
