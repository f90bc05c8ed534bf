// The system rig (`--rig system`): the audio server of the session hilt runs in (or the one named
// with --rig-server), never started, restarted or stopped by hilt. It observes a null sink of its
// own (hilt-observed-<pid>, loaded and unloaded here; the reaper unloads it if hilt is killed) or
// the device pair of a rig file, holds a lock on the server (and device) so a second run waits,
// and at the end proves the session is as it found it. Docs: docs/device-runner.md.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HiltError } from '../errors.ts';
import { reaper } from '../cleanup/reaper.ts';
import { which } from '../proc/which.ts';
import { runTool } from '../watchdog/tool.ts';
import { now, pollUntil } from '../wait.ts';
import { Capture } from '../audio/capture.ts';
import { measureLoopback } from './check/loopback.ts';
import { pipewireJackEnv } from './jack.ts';
import { acquireRigLocks, type RigLock } from './lock.ts';
import { PipeWireRig } from './pipewire-rig.ts';
import type { Rig } from './rig.ts';
import { RouteKeeper } from './route-keeper.ts';
import { DEFAULT_LOCK_WAIT_S, type RigFile } from './rig-file.ts';
import {
  isDirectory,
  NO_SERVER_FIX,
  othersStreams,
  readSession,
  serverLocation,
  settledSession,
  cookieVariables,
  sessionVariables,
  unsavedSinkProperties,
  type SessionState,
} from './session.ts';
import { parseServerInfo } from './streams.ts';

// Known before the server is asked: target configs name it as ${output}. One fixed name (the lock
// lets one run at a time use it): WirePlumber remembers the sink a moved stream was on by name,
// so a name per run would add a line to the user's saved state on every run.
export const SYSTEM_OBSERVED_SINK = 'hilt-observed-system';
export const systemOutputName = (rigFile?: RigFile): string => rigFile?.output ?? SYSTEM_OBSERVED_SINK;

export interface SystemRigOptions {
  server?: string; // --rig-server: a runtime dir, a socket, or a Pulse address
  rigFile?: RigFile; // --rig-config
  purpose?: string; // who holds the lock, for a run that waits ("hilt scenario kill9")
  onWait?: (line: string) => void; // progress while another run holds the rig
  healthCheck?: boolean;
}

export class SystemRig extends PipeWireRig implements Rig {
  readonly kind = 'system';
  readonly outputSink: string;
  readonly captureSource: string;
  capture!: Capture;
  timings = { readyMs: 0, healthMs: 0, lockWaitMs: 0 };
  private module: number | undefined;
  private lock: RigLock | undefined;
  private before: SessionState | undefined;
  private keeper: RouteKeeper | undefined;

  private constructor(
    readonly env: Record<string, string>,
    readonly address: string, // the server as a lock key and for the reaper: unix:PATH or tcp:HOST
    rigFile: RigFile | undefined,
    private readonly dir: string, // hilt's own files for this rig (a Pulse cookie), removed at stop
  ) {
    super();
    this.outputSink = systemOutputName(rigFile);
    this.captureSource = rigFile?.capture ?? `${this.outputSink}.monitor`;
  }

  static async start(opts: SystemRigOptions = {}): Promise<SystemRig> {
    const t0 = now();
    const vars = sessionVariables(process.env, opts.server, isDirectory);
    const where = serverLocation(vars, existsSync);
    if (!where.ok) {
      throw new HiltError('RIG_MISSING', 'the system rig found no audio server of the session', {
        expected: opts.server
          ? `a server at --rig-server ${opts.server}`
          : 'a server where its apps find it (PULSE_SERVER or XDG_RUNTIME_DIR)',
        seen: where.seen,
        hint: NO_SERVER_FIX,
      });
    }
    const address = vars.PULSE_SERVER ?? `unix:${where.socket}`;
    // PULSE_BINARY: libpulse must never autospawn a server for us (hilt never starts one).
    const dir = await mkdtemp(join(tmpdir(), 'hilt-sysrig-'));
    reaper.trackDir(dir);
    const env = { ...vars, PULSE_BINARY: which('false') ?? '/bin/false', ...cookieVariables(process.env, dir, existsSync) };
    const rig = new SystemRig(env, address, opts.rigFile, dir);
    try {
      await rig.requirePipeWire(where.how);
      const keys = [`server ${address}`, ...(opts.rigFile ? [`device ${address} ${opts.rigFile.output}`] : [])];
      rig.lock = await acquireRigLocks(keys, {
        deadlineMs: (opts.rigFile?.lockWaitSeconds ?? DEFAULT_LOCK_WAIT_S) * 1000,
        purpose: opts.purpose ?? 'hilt',
        onWait: opts.onWait,
      });
      rig.timings.lockWaitMs = rig.lock.waitedMs;
      rig.before = await readSession(env);
      if (opts.rigFile) await rig.requireDevices(opts.rigFile);
      else await rig.loadObservedSink();
      if (opts.rigFile) await rig.noteSharers(opts.rigFile.output);
      await rig.startInventory();
      rig.capture = Capture.start(rig.captureSource, env);
      rig.keeper = new RouteKeeper(rig, rig.outputSink);
      rig.timings.readyMs = now() - t0;
      if (opts.healthCheck !== false) await rig.healthCheck();
      return rig;
    } catch (e) {
      await rig.stop().catch(() => {}); // the first error is the one to report
      throw e;
    }
  }

  // pw-dump is how hilt tells whose stream or port is whose; a plain PulseAudio has none.
  private async requirePipeWire(how: string): Promise<void> {
    const info = await this.pactl(['info'], { reject: false });
    const server = info.exitCode === 0 ? parseServerInfo(info.stdout) : undefined;
    if (!server) {
      throw new HiltError('RIG_MISSING', `the session's audio server at ${how} does not answer`, {
        expected: 'pactl info to answer',
        seen: `exit ${info.exitCode ?? info.signal}: ${info.stderr.trim().split('\n')[0]}`,
        hint: NO_SERVER_FIX,
      });
    }
    const dump = await runTool('pw-dump', ['--no-colors'], { env: this.env, reject: false, deadlineMs: 5000 });
    if (server.name !== 'PipeWire' || dump.exitCode !== 0) {
      throw new HiltError('RIG_MISSING', `the system rig needs a PipeWire server; this session runs ${server.name} ${server.version}`, {
        expected: 'PipeWire with pipewire-pulse (pw-dump tells which process owns which stream)',
        seen: server.name === 'PipeWire' ? `pw-dump failed: ${dump.stderr.trim().split('\n')[0]}` : `${server.name} at ${how}`,
        hint: 'switch the runner to PipeWire (sudo apt-get install -y pipewire-pulse wireplumber), or use --rig virtual',
      });
    }
  }

  private async requireDevices(f: RigFile): Promise<void> {
    const names = async (what: 'sinks' | 'sources') =>
      (await this.pactl(['list', 'short', what])).stdout
        .split('\n')
        .map((l) => l.split('\t')[1])
        .filter((n): n is string => !!n);
    const [sinks, sources] = [await names('sinks'), await names('sources')];
    const missing = [
      !sinks.includes(f.output) && `output sink "${f.output}"`,
      !sources.includes(f.capture) && `capture source "${f.capture}"`,
    ];
    if (missing.some(Boolean)) {
      throw new HiltError('RIG_CONFIG', `rig file ${f.file} names a device this server does not have`, {
        expected: `${f.output} among the sinks and ${f.capture} among the sources of the server at ${this.address}`,
        seen:
          `${missing.filter(Boolean).join(' and ')} missing; ` +
          `sinks: ${sinks.join(', ') || 'none'}; sources: ${sources.join(', ') || 'none'}`,
        hint: 'correct the names in the rig file (pactl list short sinks / sources), or run `pnpm rig check --rig system`',
      });
    }
  }

  // A device of the user's is shared: other apps playing into it are heard by the capture too, so
  // a check that listens for "any sound" (ready.audio) can be disturbed. Said, not hidden.
  private async noteSharers(output: string): Promise<void> {
    const sinks = JSON.parse((await this.pactl(['-f', 'json', 'list', 'sinks'])).stdout) as { index: number; name: string }[];
    const index = sinks.find((s) => s.name === output)?.index;
    const inputs = JSON.parse((await this.pactl(['-f', 'json', 'list', 'sink-inputs'])).stdout) as {
      sink: number;
      properties?: Record<string, string>;
    }[];
    const others = inputs.filter((i) => i.sink === index && !i.properties?.['application.name']?.startsWith('hilt-'));
    if (!others.length) return;
    const apps = others.map((i) => i.properties?.['application.name'] ?? 'an app with no name').join(', ');
    this.notes.push(`${output} is shared: ${apps} played into it when the run started (checks listening for any sound can hear it)`);
  }

  // A null sink of hilt's own, not made default: the user's default stays theirs.
  private async loadObservedSink(): Promise<void> {
    const sink = this.outputSink;
    await this.removeEarlierSink(sink);
    const loaded = await this.pactl(['load-module', 'module-null-sink', `sink_name=${sink}`, unsavedSinkProperties(sink)]);
    this.module = Number(loaded.stdout.trim());
    reaper.trackPulseModule(this.module, this.address);
    const listed = await pollUntil(async () => (await this.pactl(['list', 'short', 'sinks'])).stdout.includes(`\t${sink}\t`), {
      deadlineMs: 3000,
      intervalMs: 20,
    });
    if (!listed.ok) {
      throw new HiltError('RIG_START', `the system rig's null sink ${sink} did not appear`, {
        expected: `${sink} listed within 3000 ms of load-module (module ${this.module})`,
        seen: 'not in pactl list short sinks',
        hint: `look at the server: PULSE_SERVER=${this.address} pactl list short modules`,
      });
    }
  }

  // A sink of this name now is an earlier hilt run's whose reaper could not unload it (the lock is
  // ours, so no run is using it): hilt made it, hilt removes it, and says so.
  private async removeEarlierSink(sink: string): Promise<void> {
    const modules = (await this.pactl(['list', 'short', 'modules'])).stdout.split('\n');
    for (const line of modules) {
      const [index, name, args = ''] = line.split('\t');
      if (name !== 'module-null-sink' || !new RegExp(`(^|\\s)sink_name=${sink}(\\s|$)`).test(args)) continue;
      await this.pactl(['unload-module', index!]);
      this.notes.push(`removed ${sink} (module ${index}) left by an earlier hilt run`);
    }
  }

  // A tone out and back before any verdict depends on the capture (the loopback of rig check).
  async healthCheck(deadlineMs = 3000): Promise<void> {
    const t0 = now();
    const where = { output: this.outputSink, capture: this.captureSource };
    const r = await measureLoopback(this.capture, () => this.playTone('hilt-health-probe', this.capture.frequencyHz), where, deadlineMs);
    this.timings.healthMs = now() - t0;
    if (!r.ok) {
      this.capture.assertRunning();
      throw new HiltError('RIG_HEALTH', `system rig health check failed: ${r.problem}`, {
        expected: `a ${r.toneHz} Hz tone played into ${where.output} heard on ${where.capture}, then silence`,
        seen: r.problem,
        hint: 'run `pnpm rig check --rig system` for the loopback measured on its own',
      });
    }
    this.notes.push(`loopback ${where.output} -> ${where.capture}: latency ${r.latencyMs} ms, level ${r.level?.relativeDb} dB`);
  }

  // PULSE_SINK: a target that plays to "the default device" plays into the observed output, not
  // into the user's speakers (on the virtual rig the observed sink is the default).
  get targetEnv(): Record<string, string> {
    return { ...this.env, PULSE_SINK: this.outputSink, ...pipewireJackEnv() };
  }

  // Reverse of start: the capture, the inventory's connection, hilt's sink, then the session compared, then the lock. A
  // session hilt changed is an error of the run, said with what changed and how to put it back.
  async stop(): Promise<void> {
    try {
      await this.keeper?.stop();
      if (this.keeper?.moved.length) {
        this.notes.push(
          `the server's policy sent hilt's streams to the default device when their tap went away; hilt moved them back ` +
            `(${this.keeper.moved.length}): ${[...new Set(this.keeper.moved)].join(', ')}`,
        );
      }
      this.keeper = undefined;
      await this.capture?.stop();
      await this.stopInventory();
      if (this.module !== undefined) {
        const unloaded = await this.pactl(['unload-module', String(this.module)], { reject: false });
        if (unloaded.exitCode === 0) reaper.untrackPulseModule(this.module, this.address);
        this.module = undefined;
      }
      if (this.before) await this.compareSession(this.before);
    } finally {
      // Whatever failed above, the next run must not wait for a rig nobody uses.
      await this.lock?.release();
      this.lock = undefined;
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  private async compareSession(before: SessionState): Promise<void> {
    const { after, changes } = await settledSession(this.env, before);
    const others = othersStreams(before, after);
    if (others.length) this.notes.push(`other programs played during the run (not hilt's doing): ${others.join('; ')}`);
    if (!changes.length) return;
    throw new HiltError('RIG_HEALTH', `THE USER'S AUDIO SESSION IS NOT AS HILT FOUND IT at ${this.address}: ${changes.join('; ')}`, {
      expected: "defaults, devices, volumes, modules and other apps' streams as before the run",
      seen: changes.join('\n'),
      hint:
        `put it back by hand (pactl set-default-sink ${before.defaultSink}; pactl set-default-source ${before.defaultSource}); ` +
        'then report it as a hilt bug with this summary',
    });
  }
}
