// MIDI in `rig check`: what MIDI the runner has (the ALSA sequencer and JACK on Linux; CoreMIDI and
// WinMM named on macOS and Windows) and, on the virtual rig, an attempt at a round trip through the
// rig's JACK with the MIDI probe looped to itself. The probe is handed in by the CLI (harness/midi
// imports harness/rig, so harness/rig cannot import it back): anything with this shape will do.
import { isHiltError } from '../../errors.ts';
import { now } from '../../wait.ts';

export interface MidiFacts {
  api: string; // "ALSA sequencer / JACK", "CoreMIDI", "WinMM"
  alsaSequencer?: boolean; // /dev/snd/seq exists
  pwJack?: boolean; // pipewire-jack's pw-jack is on PATH
  jackd?: boolean; // a JACK server binary is on PATH
  present: boolean; // some MIDI hilt can use on this rig
  // The round trip: measured (latencyMs), failed (problem), or not measured (problem says why).
  roundTrip?: { measured: boolean; ok: boolean; latencyMs?: number; problem?: string; probe?: string; fix?: string };
  fix?: string; // how to get what is missing
}

// What the check needs of a MIDI probe (harness/midi/jack-probe.ts's JackMidiProbe has it).
export interface LoopProbe {
  readonly name: string;
  readonly describe: string;
  connect(targetOut: string, targetIn: string, deadlineMs?: number): Promise<void>;
  roundTrip(bytes: number[], timeoutMs: number): Promise<{ ok: boolean; latencyMs?: number; received: string[] }>;
  destroy(): Promise<void>;
}
export type OpenProbe = (rigEnv: Record<string, string>) => Promise<LoopProbe>;

const NOTE_ON = [0x90, 60, 100];
const LINUX_MIDI_FIX =
  'on a device runner: sudo modprobe snd-seq && sudo modprobe snd-virmidi (virtual ALSA MIDI ports; ' +
  'sudo apt-get install -y alsa-utils for aconnect and amidi)';

// Pure: the MIDI a runner has, from what exists on it.
export function midiFacts(
  os: NodeJS.Platform,
  has: { file(path: string): boolean; tool(name: string): boolean },
  rig: 'virtual' | 'system',
): MidiFacts {
  if (os === 'darwin') {
    return {
      api: 'CoreMIDI',
      present: false,
      fix:
        'enable the IAC Driver: Audio MIDI Setup > Window > Show MIDI Studio > IAC Driver > "Device is online" ' +
        '(the CoreMIDI probe is not implemented yet)',
    };
  }
  if (os === 'win32') {
    return {
      api: 'WinMM',
      present: false,
      fix:
        'install loopMIDI (https://www.tobias-erichsen.de/software/loopmidi.html) and create a port ' +
        '(the WinMM probe is not implemented yet)',
    };
  }
  const f: MidiFacts = {
    api: 'ALSA sequencer / JACK',
    alsaSequencer: has.file('/dev/snd/seq'),
    pwJack: has.tool('pw-jack'),
    jackd: has.tool('jackd'),
    present: false,
  };
  // The virtual rig's MIDI is JACK through pipewire-jack; the system rig's is the ALSA sequencer
  // (or a JACK server the session runs).
  f.present = rig === 'virtual' ? !!f.pwJack : !!f.alsaSequencer || !!f.jackd;
  if (!f.present) {
    f.fix =
      rig === 'virtual'
        ? 'sudo apt-get install -y pipewire-jack   (or run: npm run setup)'
        : `${LINUX_MIDI_FIX}${f.pwJack ? '' : "; for JACK MIDI on the session's PipeWire: sudo apt-get install -y pipewire-jack"}`;
  }
  return f;
}

// A round trip with the probe's own output connected to its own input. hilt-midi-probe's protocol
// does not allow it today: its ports exist only once `connect` has opened them to other clients'
// ports, and `connect` closes its own ports first. The attempt is made anyway, so a probe that
// learns to loop is measured without a change here; until then the answer says why not.
export async function midiRoundTrip(rigEnv: Record<string, string>, open: OpenProbe): Promise<NonNullable<MidiFacts['roundTrip']>> {
  let probe: LoopProbe | undefined;
  try {
    probe = await open(rigEnv);
    const own = { out: `${probe.name}-out:out`, in: `${probe.name}:in` };
    try {
      await probe.connect(own.out, own.in, 300);
    } catch (e) {
      const seen = isHiltError(e) ? (e.seen ?? e.message) : String(e);
      return {
        measured: false,
        ok: true,
        probe: probe.describe,
        problem:
          `present, round trip not measured: the probe cannot loop to itself (its ports exist only once connected to ` +
          `another client's, and connect closes its own first); it answered: ${seen.split('\n')[0]}`,
      };
    }
    const t0 = now();
    const rt = await probe.roundTrip(NOTE_ON, 1000);
    if (rt.ok) return { measured: true, ok: true, latencyMs: rt.latencyMs, probe: probe.describe };
    return {
      measured: true,
      ok: false,
      probe: probe.describe,
      problem:
        `a note on sent to itself did not come back within ${Math.round(now() - t0)} ms ` +
        `(received: ${rt.received.join(',') || 'none'})`,
    };
  } catch (e) {
    const why = isHiltError(e) ? `${e.message.split('\n')[0]}${e.seen ? `: ${e.seen.split('\n')[0]}` : ''}` : String(e);
    return {
      measured: false,
      ok: false,
      problem: `the MIDI probe did not open: ${why}`,
      ...(isHiltError(e) && e.hint ? { fix: e.hint } : {}),
    };
  } finally {
    await probe?.destroy();
  }
}
