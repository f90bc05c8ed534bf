// The WASAPI rig (`--rig system` on Windows): the system's own endpoints, asked and used through
// hilt-wasapi.exe. It observes a render endpoint (the default, or a rig file's) through a capture
// endpoint that hears it (its monitor, VB-CABLE's output, or its loopback: wasapi/choose.ts).
// Nothing is loaded or changed on the system, so there is nothing to put back. Docs: docs/windows.md.
import { release } from 'node:os';
import { Capture } from '../audio/capture.ts';
import { ToneSource } from '../audio/tone-source.ts';
import { HiltError } from '../errors.ts';
import type { InventoryObject } from '../inventory/objects.ts';
import type { MidiPort } from '../inventory/parse-server.ts';
import { byPrefix } from '../inventory/by-prefix.ts';
import type { Snapshot } from '../inventory/snapshot.ts';
import { now } from '../wait.ts';
import { measureLoopback } from './check/loopback.ts';
import type { Rig } from './rig.ts';
import type { RigFile } from './rig-file.ts';
import { chooseDevices, type DeviceChoice } from './wasapi/choose.ts';
import { runWasapi, wasapiIo } from './wasapi/helper.ts';
import { helperProblem, parseEndpoints, parseSessions, type Endpoint, type SessionsAnswer } from './wasapi/parse.ts';
import { hasSessionOf, sessionObjects, sessionsUnsupported } from './wasapi/sessions.ts';

export const NO_ENDPOINTS_FIX =
  'start the Windows Audio service (net start audiosrv), or install a virtual cable (VB-CABLE, https://vb-audio.com/Cable/)';

export async function listEndpoints(): Promise<Endpoint[]> {
  const r = await runWasapi(['endpoints']);
  if (r.exitCode !== 0) {
    throw new HiltError('RIG_MISSING', 'the WASAPI rig cannot list the audio endpoints', {
      expected: 'hilt-wasapi endpoints to exit 0',
      seen: `exit ${r.exitCode ?? r.signal}: ${helperProblem(r.stderr)}`,
      hint: NO_ENDPOINTS_FIX,
    });
  }
  return parseEndpoints(r.stdout);
}

export async function listSessions(): Promise<SessionsAnswer> {
  const r = await runWasapi(['sessions']);
  if (r.exitCode === 0 || r.stdout.includes('"kind":"error"')) return parseSessions(r.stdout);
  throw new HiltError('TOOL_FAILED', 'hilt-wasapi sessions failed', {
    expected: 'exit 0, or one line naming the call the system lacks',
    seen: `exit ${r.exitCode ?? r.signal}: ${helperProblem(r.stderr)}`,
    hint: 'run native/build-win/hilt-wasapi.exe sessions by hand',
  });
}

// The rig file's output and capture name endpoints (friendly names or ids) here.
export async function chooseWasapiDevices(rigFile?: RigFile): Promise<{ endpoints: Endpoint[]; choice: DeviceChoice }> {
  const endpoints = await listEndpoints();
  const c = chooseDevices(endpoints, rigFile ? { output: rigFile.output, capture: rigFile.capture } : {});
  if (c.ok) return { endpoints, choice: c.choice };
  throw new HiltError(rigFile ? 'RIG_CONFIG' : 'RIG_MISSING', `the WASAPI rig has no output to observe: ${c.problem}`, {
    expected: rigFile ? `the endpoints rig file ${rigFile.file} names` : 'a default render endpoint',
    seen: c.problem,
    hint: rigFile ? 'correct the names in the rig file (pnpm rig check --rig system lists the endpoints)' : NO_ENDPOINTS_FIX,
  });
}

export class WasapiRig implements Rig {
  readonly kind = 'system';
  readonly env: Record<string, string> = {};
  readonly targetEnv: Record<string, string> = {};
  readonly outputSink: string;
  readonly notes: string[] = [];
  capture!: Capture;
  timings = { readyMs: 0, healthMs: 0 };

  private constructor(readonly choice: DeviceChoice) {
    this.outputSink = choice.output;
  }

  static async start(opts: { rigFile?: RigFile; healthCheck?: boolean } = {}): Promise<WasapiRig> {
    const t0 = now();
    const { choice } = await chooseWasapiDevices(opts.rigFile);
    const rig = new WasapiRig(choice);
    rig.notes.push(`observed ${choice.output} through ${choice.loopback ? 'its loopback' : choice.capture} (${choice.how})`);
    try {
      rig.capture = Capture.start(choice.capture, {}, 440, wasapiIo({ loopback: choice.loopback }));
      rig.timings.readyMs = now() - t0;
      if (opts.healthCheck !== false) await rig.healthCheck();
      return rig;
    } catch (e) {
      await rig.stop();
      throw e;
    }
  }

  async healthCheck(deadlineMs = 5000): Promise<void> {
    const t0 = now();
    const where = { output: this.outputSink, capture: this.choice.loopback ? `loopback of ${this.outputSink}` : this.choice.capture };
    const r = await measureLoopback(this.capture, () => this.playTone('hilt-health-probe', this.capture.frequencyHz), where, deadlineMs);
    this.timings.healthMs = now() - t0;
    if (!r.ok) {
      this.capture.assertRunning();
      throw new HiltError('RIG_HEALTH', `WASAPI rig health check failed: ${r.problem}`, {
        expected: `a ${r.toneHz} Hz tone played into ${where.output} heard on ${where.capture}, then silence`,
        seen: r.problem ?? 'no figures',
        hint: 'run `pnpm rig check` for the endpoints and the loopback measured on their own',
      });
    }
    this.notes.push(`loopback ${where.output} -> ${where.capture}: latency ${r.latencyMs} ms, level ${r.level?.relativeDb} dB`);
  }

  playTone(appName: string, hz: number, amplitude = 0.3): ToneSource {
    return new ToneSource(appName, this.outputSink, this.env, hz, amplitude, wasapiIo());
  }

  async hasStreamOf(pids: number[]): Promise<boolean> {
    const s = await listSessions();
    if (!s.ok) throw sessionsUnsupported('whose audio stream is whose', s);
    return hasSessionOf(s.sessions, pids);
  }

  midiPorts(): Promise<MidiPort[]> {
    return Promise.reject(
      new HiltError('PLATFORM_UNSUPPORTED', 'MIDI ports on Windows: not implemented yet (would use WinMM midiIn/midiOutGetDevCaps)', {
        expected: "hilt to list Windows' MIDI ports",
        seen: 'the WASAPI rig has audio endpoints only',
        hint: 'run MIDI scenarios on Linux',
      }),
    );
  }

  routeOf(_appName: string): Promise<string | undefined> {
    return Promise.reject(
      new HiltError('PLATFORM_UNSUPPORTED', "a stream's route on Windows: WASAPI does not say where another app's stream plays", {
        expected: 'the endpoint an app plays into, by its name',
        seen: 'sessions name a process and an endpoint, not an app name; a stream cannot be moved between endpoints',
        hint: 'tap scenarios that move streams are Pulse-only: run them on Linux',
      }),
    );
  }

  async serverInventory(): Promise<Snapshot> {
    const t0 = now();
    const s = await listSessions();
    if (!s.ok) throw sessionsUnsupported('the audio sessions (the inventory of the audio service)', s);
    return { prefix: '', takenAt: t0, tookMs: now() - t0, objects: sessionObjects(s.sessions) };
  }

  async inventory(prefix: string): Promise<Snapshot> {
    const all = await this.serverInventory();
    return { ...all, prefix, objects: byPrefix(all.objects, prefix) };
  }

  // Nothing to remove: a WASAPI session ends with its process, and hilt loaded nothing.
  async removeLeftovers(objects: InventoryObject[]): Promise<string[]> {
    return objects.map((o) => `${o.name}: nothing to remove on Windows (an audio session ends with its process)`);
  }

  async serverInfo(): Promise<{ name: string; version: string }> {
    return { name: 'WASAPI', version: release() };
  }

  async stop(): Promise<void> {
    await this.capture?.stop();
  }
}
