// A tone played into the rig by its player (pacat, or hilt-wasapi play: harness/audio/audio-io.ts),
// fed sample-exactly from here: the victim whose audio must resume, and the rig's health-check
// tone. gap(ms) injects exact silence (for the bench).
import { Readable } from 'node:stream';
import { Child, stopChild } from '../proc/child.ts';
import { pulseIo, type AudioIo } from './audio-io.ts';
import { SAMPLE_RATE } from './capture.ts';

const CHUNK = SAMPLE_RATE / 100; // 10 ms per chunk

export class ToneSource {
  readonly child: Child;
  private phase = 0;
  private silentSamples = 0;
  private readonly feed: Readable;

  constructor(
    readonly appName: string,
    sink: string,
    env: Record<string, string>,
    readonly frequencyHz = 440,
    readonly amplitude = 0.3,
    private readonly io: AudioIo = pulseIo,
  ) {
    const cmd = io.player(sink, appName, SAMPLE_RATE);
    this.child = new Child(cmd.file, cmd.args, {
      name: appName,
      env,
      stdin: 'pipe',
      ...(cmd.endsWithHilt && { endsWithHilt: true }),
    });
    // Small high-water mark: the player's own buffer sets the pace, we never run far ahead.
    this.feed = new Readable({ highWaterMark: CHUNK * 4, read: () => this.feed.push(this.next()) });
    const stdin = this.child.stdin;
    stdin?.on('error', () => {}); // the player killed: EPIPE is expected
    if (stdin) this.feed.pipe(stdin);
  }

  get pid(): number {
    return this.child.pid;
  }

  // The next `ms` of audio are exact digital silence.
  gap(ms: number): void {
    this.silentSamples += Math.round((ms * SAMPLE_RATE) / 1000);
  }

  async stop(): Promise<void> {
    this.feed.unpipe();
    this.feed.destroy();
    if (this.io.playerStop !== 'eof') return void (await stopChild(this.child, this.io.playerStop, 1000));
    this.child.stdin?.end(); // it plays out its buffer (40 ms) and exits
    await stopChild(this.child, null, 1000);
  }

  private next(): Buffer {
    const out = Buffer.alloc(CHUNK * 2);
    const step = (2 * Math.PI * this.frequencyHz) / SAMPLE_RATE;
    for (let i = 0; i < CHUNK; i++) {
      let v = 0;
      if (this.silentSamples > 0) this.silentSamples--;
      else v = Math.round(this.amplitude * 32767 * Math.sin(this.phase));
      this.phase += step;
      out.writeInt16LE(v, i * 2);
    }
    this.phase %= 2 * Math.PI;
    return out;
  }
}
