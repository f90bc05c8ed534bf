// The CoreAudio rig (`--rig system` on macOS): BlackHole 2ch (or a rig file's devices) as the observed
// output, played into and recorded by SoX's coreaudio driver; aggregate devices, process taps and
// audio processes asked of macOS through hilt-coreaudio. Nothing is changed on the system but what
// removeLeftovers destroys. Never run on a Mac yet: docs/macos.md says what is checked where.
import { Capture, SAMPLE_RATE } from '../audio/capture.ts';
import { ToneSource } from '../audio/tone-source.ts';
import { HiltError } from '../errors.ts';
import { ownerPidFromName, type InventoryObject } from '../inventory/objects.ts';
import { namedLike } from '../inventory/leftovers.ts';
import type { MidiPort } from '../inventory/parse-server.ts';
import type { Snapshot } from '../inventory/snapshot.ts';
import { now } from '../wait.ts';
import { measureLoopback } from './check/loopback.ts';
import { BLACKHOLE_FIX, chooseDevices, type DeviceChoice } from './coreaudio/choose.ts';
import { GRANT_FIX, grantFrom } from './coreaudio/grant.ts';
import { HELPER_FIX, requireSox, runCoreaudio, soxIo } from './coreaudio/helper.ts';
import { aggregateObjects, isPhantom, phantomObject, playsOutput, tapObjects, vanishedUids } from './coreaudio/inventory.ts';
import {
  helperProblem,
  parseDestroyed,
  parseDevices,
  parsePhantom,
  parseProcesses,
  parseTaps,
  type DevicesAnswer,
  type PhantomAnswer,
  type ProcessesAnswer,
  type TapsAnswer,
} from './coreaudio/parse.ts';
import type { Rig } from './rig.ts';
import type { RigFile } from './rig-file.ts';

export const COREAUDIOD_RESTART = 'sudo launchctl kickstart -kp system/com.apple.audio.coreaudiod';

// A subcommand that must answer: any other exit is the helper's failure, said with its error line.
async function ask(args: string[], code: 'RIG_MISSING' | 'TOOL_FAILED' = 'TOOL_FAILED'): Promise<string> {
  const r = await runCoreaudio(args);
  if (r.exitCode === 0) return r.stdout;
  throw new HiltError(code, `hilt-coreaudio ${args.join(' ')} failed`, {
    expected: 'exit 0 and its JSON answer',
    seen: `exit ${r.exitCode ?? r.signal}: ${helperProblem(r.stderr)}`,
    hint: code === 'RIG_MISSING' ? `${HELPER_FIX}; is coreaudiod running? (${COREAUDIOD_RESTART})` : `run ${args.join(' ')} by hand`,
  });
}

export const listDevices = async (): Promise<DevicesAnswer> => parseDevices(await ask(['devices'], 'RIG_MISSING'));
export const listTaps = async (): Promise<TapsAnswer> => parseTaps(await ask(['taps']));
export const listProcesses = async (): Promise<ProcessesAnswer> => parseProcesses(await ask(['processes']));
export const probePhantom = async (uid: string): Promise<PhantomAnswer> => parsePhantom(await ask(['phantom-probe', uid]));

export async function chooseCoreaudioDevices(rigFile?: RigFile): Promise<{ answer: DevicesAnswer; choice: DeviceChoice }> {
  const answer = await listDevices();
  const c = chooseDevices(answer.devices, rigFile ? { output: rigFile.output, capture: rigFile.capture } : {});
  if (c.ok) return { answer, choice: c.choice };
  throw new HiltError(
    rigFile && !c.missingBlackHole ? 'RIG_CONFIG' : 'RIG_MISSING',
    `the CoreAudio rig has no output to observe: ${c.problem}`,
    {
      expected: rigFile
        ? `the devices rig file ${rigFile.file} names`
        : 'BlackHole 2ch, a virtual device that hears what is played into it',
      seen: c.problem,
      hint: c.missingBlackHole ? BLACKHOLE_FIX : 'correct the names in the rig file (pnpm rig check --rig system lists the devices)',
    },
  );
}

// Where programs that choose no device play, when it is not the observed output: said, not changed.
export const defaultOutputNote = (choice: DeviceChoice): string | undefined =>
  choice.defaultOutput === choice.output
    ? undefined
    : `the default output is ${choice.defaultOutput ? `"${choice.defaultOutput}"` : 'none'}, not "${choice.output}": ` +
      `a target that plays to the default is not heard (SwitchAudioSource -s "${choice.output}", or pnpm provision)`;

const processesUnsupported = (fact: string, why: string): HiltError =>
  new HiltError('PLATFORM_UNSUPPORTED', `${fact} on this macOS: ${why}`, {
    expected: 'kAudioHardwarePropertyProcessObjectList (macOS 14 or later)',
    seen: why,
    hint: 'run on macOS 14 or later',
  });

const notOnMac = (fact: string, would: string, hint: string): Promise<never> =>
  Promise.reject(
    new HiltError('PLATFORM_UNSUPPORTED', `${fact} on macOS: not implemented yet`, { expected: would, seen: 'the CoreAudio rig', hint }),
  );

export class CoreAudioRig implements Rig {
  readonly kind = 'system';
  readonly env: Record<string, string> = {};
  readonly targetEnv: Record<string, string> = {};
  readonly outputSink: string;
  readonly notes: string[] = [];
  capture!: Capture;
  timings = { readyMs: 0, healthMs: 0 };
  // Aggregate UIDs listed at any time in this rig's life: one that goes from the list is probed for a phantom.
  private readonly seenAggregates = new Set<string>();
  private tapsNoted = false;

  private constructor(
    readonly choice: DeviceChoice,
    private readonly sox: string,
    private readonly macos: string,
  ) {
    this.outputSink = choice.output;
  }

  static async start(opts: { rigFile?: RigFile; healthCheck?: boolean } = {}): Promise<CoreAudioRig> {
    const t0 = now();
    const sox = requireSox();
    const { answer, choice } = await chooseCoreaudioDevices(opts.rigFile);
    const rig = new CoreAudioRig(choice, sox, answer.macos);
    rig.notes.push(
      `observed "${choice.output}" through "${choice.capture}" (${choice.how}), played and recorded by sox's coreaudio driver`,
    );
    const note = defaultOutputNote(choice);
    if (note) rig.notes.push(note);
    try {
      rig.capture = Capture.start(choice.capture, {}, 440, soxIo(sox));
      rig.timings.readyMs = now() - t0;
      if (opts.healthCheck !== false) await rig.healthCheck();
      return rig;
    } catch (e) {
      await rig.stop();
      throw e;
    }
  }

  // A tone out and back; a failure with nothing but zeros captured is the missing microphone grant.
  async healthCheck(deadlineMs = 5000): Promise<void> {
    const t0 = now();
    const from = this.capture.samplesSeen;
    const where = { output: this.outputSink, capture: this.choice.capture };
    const r = await measureLoopback(this.capture, () => this.playTone('hilt-health-probe', this.capture.frequencyHz), where, deadlineMs);
    this.timings.healthMs = now() - t0;
    if (r.ok) {
      this.notes.push(`loopback ${where.output} -> ${where.capture}: latency ${r.latencyMs} ms, level ${r.level?.relativeDb} dB`);
      return;
    }
    this.capture.assertRunning();
    const g = grantFrom(this.capture.samples(from), SAMPLE_RATE, false);
    if (g.grant === 'no-grant') {
      throw new HiltError('RIG_MISSING', 'the CoreAudio rig hears only digital silence: no microphone grant', {
        expected: `a ${r.toneHz} Hz tone played into ${where.output} heard on ${where.capture}`,
        seen: g.why,
        hint: GRANT_FIX,
      });
    }
    throw new HiltError('RIG_HEALTH', `CoreAudio rig health check failed: ${r.problem}`, {
      expected: `a ${r.toneHz} Hz tone played into ${where.output} heard on ${where.capture}, then silence`,
      seen: `${r.problem ?? 'no figures'} (${g.why})`,
      hint: 'run `pnpm rig check` for the devices and the loopback measured on their own',
    });
  }

  playTone(appName: string, hz: number, amplitude = 0.3): ToneSource {
    return new ToneSource(appName, this.outputSink, this.env, hz, amplitude, soxIo(this.sox));
  }

  async hasStreamOf(pids: number[]): Promise<boolean> {
    const p = await listProcesses();
    if (!p.supported) throw processesUnsupported('whose audio stream is whose', p.why);
    return playsOutput(p.processes, pids);
  }

  midiPorts(): Promise<MidiPort[]> {
    return notOnMac(
      'MIDI ports',
      "CoreMIDI's sources and destinations (MIDIGetSource) listed by hilt-coreaudio",
      'run MIDI scenarios on Linux',
    );
  }

  routeOf(_appName: string): Promise<string | undefined> {
    return notOnMac(
      "a stream's route",
      'the device an app plays into, by its name',
      'CoreAudio names processes, not streams; tap scenarios that move streams are Pulse-only: run them on Linux',
    );
  }

  async serverInventory(): Promise<Snapshot> {
    const t0 = now();
    const [devices, taps] = await Promise.all([listDevices(), listTaps()]);
    const objects = aggregateObjects(devices.devices);
    for (const uid of vanishedUids(this.seenAggregates, devices.devices)) {
      const p = await probePhantom(uid);
      if (p.result === 'phantom') objects.push(phantomObject(p));
      else this.seenAggregates.delete(uid); // gone for good: its UID can be made again
    }
    for (const d of devices.devices) if (d.aggregate) this.seenAggregates.add(d.uid);
    if (taps.supported) objects.push(...tapObjects(taps.taps));
    else if (!this.tapsNoted) {
      this.tapsNoted = true;
      this.notes.push(`process taps not inventoried: ${taps.why}`);
    }
    return { prefix: '', takenAt: t0, tookMs: now() - t0, objects };
  }

  // The prefix claims an object by its name or UID (at a word start, as leftovers are judged); a pid after it is the creator's.
  async inventory(prefix: string): Promise<Snapshot> {
    const all = await this.serverInventory();
    const objects = all.objects
      .filter((o) => namedLike(o, prefix))
      .map((o) => ({ ...o, ownerPid: ownerPidFromName(o.name, prefix) ?? ownerPidFromName(uidOf(o), prefix) }));
    return { ...all, prefix, objects };
  }

  async removeLeftovers(objects: InventoryObject[]): Promise<string[]> {
    const said: string[] = [];
    for (const o of objects) said.push(await this.removeOne(o));
    return said;
  }

  private async removeOne(o: InventoryObject): Promise<string> {
    if (o.kind !== 'coreaudio-aggregate' && o.kind !== 'coreaudio-tap') return `${o.name}: nothing hilt removes on macOS (${o.kind})`;
    if (isPhantom(o)) {
      return `${o.name}: a phantom aggregate has no device to destroy; only a restart of coreaudiod clears it (${COREAUDIOD_RESTART})`;
    }
    // Found again by UID as it is now: an id may have been given to another object meanwhile.
    const uid = uidOf(o);
    const listed = o.kind === 'coreaudio-aggregate' ? aggregateObjects((await listDevices()).devices) : await this.tapsNow();
    const found = listed.find((x) => uidOf(x) === uid);
    if (!found) return `${o.kind} ${o.name} (uid ${uid}): already gone`;
    const r = await runCoreaudio([o.kind === 'coreaudio-aggregate' ? 'destroy-aggregate' : 'destroy-tap', found.id]);
    if (r.exitCode === 3) return `${o.kind} ${o.name} (uid ${uid}): already gone`;
    if (r.exitCode !== 0) return `${o.kind} ${o.name} (uid ${uid}): NOT destroyed: ${helperProblem(r.stderr)}`;
    const d = parseDestroyed(r.stdout);
    return `${o.kind} ${o.name} (id ${d.id}, uid ${d.uid}): destroyed`;
  }

  private async tapsNow(): Promise<InventoryObject[]> {
    const t = await listTaps();
    return t.supported ? tapObjects(t.taps) : [];
  }

  async serverInfo(): Promise<{ name: string; version: string }> {
    return { name: 'CoreAudio', version: `macOS ${this.macos}` };
  }

  async stop(): Promise<void> {
    await this.capture?.stop();
  }
}

// The UID an object was keyed by (inventory.ts: "<kind>:<uid>").
const uidOf = (o: InventoryObject): string => (o.key ?? '').replace(/^coreaudio-(aggregate|tap):/, '');
