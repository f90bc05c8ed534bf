// The MIDI probe on runners with system MIDI: @julusian/midi (RtMidi over the ALSA sequencer,
// CoreMIDI or WinMM), with the probe's own virtual ports where the OS has them (ALSA, CoreMIDI)
// and the loopMIDI/IAC ports the runner provides otherwise. Loaded lazily: it throws at
// construction where the OS MIDI service is missing (no /dev/snd/seq on this machine).
import { createRequire } from 'node:module';
import { HiltError } from '../errors.ts';
import { now } from '../wait.ts';
import { toHex, type MidiPorts, type MidiProbe, type RoundTrip } from './probe.ts';

type MidiModule = typeof import('@julusian/midi');
type Input = InstanceType<MidiModule['Input']>;
type Output = InstanceType<MidiModule['Output']>;

const require = createRequire(import.meta.url);
const SYSTEM_MIDI: Record<string, string> = {
  linux: 'the ALSA sequencer (/dev/snd/seq; modprobe snd-seq snd-virmidi)',
  darwin: 'CoreMIDI (enable the IAC driver in Audio MIDI Setup)',
  win32: 'WinMM (install loopMIDI and create a port)',
};

export const systemMidiName = (platform: NodeJS.Platform = process.platform): string =>
  SYSTEM_MIDI[platform] ?? `no known MIDI API on ${platform}`;

// Opens RtMidi's system API or says exactly what is missing.
function openSystemMidi(): { midi: MidiModule; input: Input; output: Output } {
  let midi: MidiModule;
  try {
    midi = require('@julusian/midi') as MidiModule;
  } catch (e) {
    throw new HiltError('RIG_MISSING', 'system MIDI needs the @julusian/midi package, which did not load', {
      seen: (e as Error).message,
      hint: 'pnpm install (it ships prebuilt binaries for Linux, macOS and Windows)',
    });
  }
  try {
    return { midi, input: new midi.Input(), output: new midi.Output() };
  } catch (e) {
    throw new HiltError('RIG_MISSING', `system MIDI is not available: ${systemMidiName()} could not be opened`, {
      expected: `RtMidi to open ${systemMidiName()}`,
      seen: (e as Error).message,
      hint:
        process.platform === 'linux'
          ? 'on a device runner: sudo modprobe snd-seq snd-virmidi; here use the virtual rig (JACK MIDI)'
          : "see the README's support table",
    });
  }
}

export class SystemMidiProbe implements MidiProbe {
  readonly kind = 'system';
  private destroyed = false;
  private waiter: ((hex: string) => void) | undefined;
  private received: string[] = [];

  private constructor(
    private readonly input: Input,
    private readonly output: Output,
    private readonly midi: MidiModule,
  ) {
    input.ignoreTypes(false, true, true); // sysex in
    input.on('message', (_dt, message) => {
      const hex = toHex(message);
      this.received.push(hex);
      this.waiter?.(hex);
    });
  }

  get describe(): string {
    return `system MIDI through ${systemMidiName()} (@julusian/midi)`;
  }

  static open(): SystemMidiProbe {
    const { midi, input, output } = openSystemMidi();
    return new SystemMidiProbe(input, output, midi);
  }

  async ports(): Promise<MidiPorts> {
    return { readable: this.midi.Input.getPortNames(), writable: this.midi.Output.getPortNames() };
  }

  async connect(targetOut: string, targetIn: string): Promise<void> {
    try {
      if (targetOut !== '-') this.input.openPortByName(targetOut);
      if (targetIn !== '-') this.output.openPortByName(targetIn);
    } catch (e) {
      const ports = await this.ports();
      throw new HiltError('TARGET_NOT_READY', "the MIDI probe could not connect to the target's ports", {
        expected: `${targetOut} readable and ${targetIn} writable`,
        seen: `${(e as Error).message}; readable: ${ports.readable.join(', ') || 'none'}; writable: ${ports.writable.join(', ') || 'none'}`,
        hint: "the target's MIDI ports must exist: see its log for its port names",
      });
    }
  }

  // Timed in Node: includes the event loop's delivery, unlike the JACK probe's C++ timing.
  roundTrip(bytes: number[], timeoutMs: number): Promise<RoundTrip> {
    const want = toHex(bytes);
    this.received = [];
    const t0 = now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve({ ok: false, received: this.received, waitedMs: now() - t0 });
      }, timeoutMs);
      this.waiter = (hex) => {
        if (hex !== want) return;
        clearTimeout(timer);
        this.waiter = undefined;
        const ms = now() - t0;
        resolve({ ok: true, latencyMs: ms, received: [], waitedMs: ms });
      };
      this.output.sendMessage(bytes);
    });
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.input.closePort();
    this.output.closePort();
    this.input.destroy();
    this.output.destroy();
  }
}
