// The MIDI probe on the virtual rig: hilt-midi-probe (native/src/midi-probe), an RtMidi JACK
// client served by the rig's PipeWire through pipewire-jack. It times round-trips itself, in
// C++, so the figure is the MIDI path and not Node's event loop.
import { constants } from 'node:fs';
import { resolve } from 'node:path';
import { HiltError } from '../errors.ts';
import { Child, stopChild } from '../proc/child.ts';
import { ROOT } from '../target/config.ts';
import { requireFile } from '../target/launch.ts';
import { watch } from '../watchdog/watchdog.ts';
import { now, pollUntil } from '../wait.ts';
import { jackEnv, requirePipewireJack } from './jack-env.ts';
import { fromHex, toHex, type MidiPorts, type MidiProbe, type RoundTrip } from './probe.ts';

export const MIDI_PROBE_BIN = resolve(ROOT, 'native/build/Release/hilt-midi-probe');
const ANSWER_MS = 3000; // a local JACK client answers a command in a few ms

export class JackMidiProbe implements MidiProbe {
  readonly kind = 'jack';
  private queue: Promise<unknown> = Promise.resolve();
  private destroyed = false;

  private constructor(
    private readonly child: Child,
    readonly name: string,
  ) {}

  get describe(): string {
    return `JACK MIDI through pipewire-jack (hilt-midi-probe "${this.name}", pid ${this.child.pid})`;
  }

  // Opens the probe's JACK clients "<name>" (input) and "<name>-out" (output) on the rig.
  static async open(rigEnv: Record<string, string>, name = `hilt-probe-${process.pid}`): Promise<JackMidiProbe> {
    requirePipewireJack();
    requireFile('hilt-midi-probe', MIDI_PROBE_BIN, constants.X_OK, 'build it with: pnpm build:native');
    const child = new Child(MIDI_PROBE_BIN, ['--name', name], { name: 'hilt-midi-probe', env: jackEnv(rigEnv, 'rig'), stdin: 'pipe' });
    const probe = new JackMidiProbe(child, name);
    const opened = await watch(child, child.waitForLine(/^(ready|unavailable)\b/), { what: 'MIDI probe open', softMs: ANSWER_MS });
    if (opened.outcome === 'done' && opened.value === 'ready') return probe;
    await probe.destroy();
    const seen =
      opened.outcome === 'done'
        ? opened.value
        : opened.outcome === 'hung'
          ? `no answer after ${ANSWER_MS} ms: ${opened.hang.waits}`
          : `it exited (${opened.exit.exitCode ?? opened.exit.signal})`;
    throw new HiltError('RIG_MISSING', 'the MIDI probe could not open JACK MIDI on the virtual rig', {
      expected: "hilt-midi-probe to open its JACK clients on the rig's PipeWire",
      seen: `${seen}\n${child.outputTail(10)}`,
      hint: "check that pipewire-jack is installed (npm run setup) and the rig's pipewire is running",
    });
  }

  // One command at a time: the answers carry no id.
  private request(line: string, answer: RegExp, what: string, softMs = ANSWER_MS): Promise<string> {
    const next = this.queue.then(async () => {
      if (this.destroyed || this.child.done) throw new HiltError('INTERNAL', `the MIDI probe is gone; cannot ${what}`);
      const reply = this.child.nextLine(answer);
      this.child.stdin?.write(line + '\n');
      const w = await watch(this.child, reply, { what: `MIDI probe ${what}`, softMs });
      if (w.outcome === 'done') return w.value;
      throw new HiltError('DEADLINE', `the MIDI probe did not ${what}`, {
        expected: `a line matching /${answer.source}/ within ${softMs} ms`,
        seen:
          w.outcome === 'hung'
            ? `nothing; ${w.hang.waits}`
            : `it exited (${w.exit.exitCode ?? w.exit.signal})\n${this.child.outputTail(10)}`,
        hint: "the probe's stacks are in the report when it hung",
      });
    });
    this.queue = next.catch(() => {});
    return next;
  }

  async ports(): Promise<MidiPorts> {
    const line = await this.request('ports', /^ports \{/, 'list ports');
    return JSON.parse(line.slice('ports '.length)) as MidiPorts;
  }

  // A client's new ports reach other clients' port lists a moment later (seen: "no readable
  // port" right after the target said it was connected), so a miss is retried for up to 1 s.
  async connect(targetOut: string, targetIn: string, deadlineMs = 1000): Promise<void> {
    let line = '';
    await pollUntil(
      async () => {
        line = await this.request(`connect ${targetOut} ${targetIn}`, /^(connected|error)\b/, `connect to ${targetOut} and ${targetIn}`);
        return line === 'connected' || undefined;
      },
      { deadlineMs, intervalMs: 20 },
    );
    if (line !== 'connected') {
      throw new HiltError('TARGET_NOT_READY', `the MIDI probe could not connect to the target's ports`, {
        expected: `its output to ${targetIn} and ${targetOut} to its input`,
        seen: line,
        hint: "the target's MIDI ports must exist: see its log for its port names",
      });
    }
  }

  async roundTrip(bytes: number[], timeoutMs: number): Promise<RoundTrip> {
    const t0 = now();
    const line = await this.request(
      `roundtrip ${toHex(bytes)} ${timeoutMs}`,
      /^roundtrip (ok|timeout)\b/,
      'time a round-trip',
      timeoutMs + ANSWER_MS,
    );
    const ok = /^roundtrip ok latency_us=(\d+)/.exec(line);
    if (ok) return { ok: true, latencyMs: Number(ok[1]) / 1000, received: [], waitedMs: now() - t0 };
    const got = /received=(\S+)/.exec(line)?.[1];
    return { ok: false, received: !got || got === 'none' ? [] : got.split(',').map((h) => toHex(fromHex(h))), waitedMs: now() - t0 };
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.child.done) return;
    this.child.stdin?.end('quit\n');
    await stopChild(this.child, null, 2000);
  }
}
