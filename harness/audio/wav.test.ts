import { describe, expect, it } from 'vitest';
import { isHiltError } from '../errors.ts';
import { decodeWav, encodeWav } from './wav.ts';

const header = (format: number, channels: number, bits: number, dataBytes: number, extra = Buffer.alloc(0)) => {
  const b = Buffer.alloc(44);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + extra.length + dataBytes, 4);
  b.write('WAVEfmt ', 8, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(format, 20);
  b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(44_100, 24);
  b.writeUInt32LE((44_100 * channels * bits) / 8, 28);
  b.writeUInt16LE((channels * bits) / 8, 32);
  b.writeUInt16LE(bits, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(dataBytes, 40);
  return Buffer.concat([b.subarray(0, 36), extra, b.subarray(36)]);
};

describe('encodeWav/decodeWav', () => {
  it('round-trips samples within 16-bit precision', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => 0.7 * Math.sin(i / 7));
    const wav = encodeWav(x, 48_000);
    expect(wav.length).toBe(44 + 2000);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    const back = decodeWav(wav);
    expect(back.sampleRate).toBe(48_000);
    expect(back.samples.length).toBe(x.length);
    for (let i = 0; i < x.length; i++) expect(Math.abs(back.samples[i]! - x[i]!)).toBeLessThanOrEqual(0.5 / 32768);
  });

  it('clamps out-of-range samples and maps NaN to 0', () => {
    const back = decodeWav(encodeWav(Float32Array.of(2, -3, 1, -1, NaN), 8000)).samples;
    expect(Array.from(back)).toEqual([32767 / 32768, -1, 32767 / 32768, -1, 0]);
  });

  it('mixes stereo to mono and skips unknown chunks', () => {
    const list = Buffer.alloc(8 + 3 + 1); // odd-sized chunk plus pad byte
    list.write('LIST', 0, 'ascii');
    list.writeUInt32LE(3, 4);
    const data = Buffer.alloc(8);
    data.writeInt16LE(16384, 0);
    data.writeInt16LE(0, 2);
    data.writeInt16LE(-32768, 4);
    data.writeInt16LE(-16384, 6);
    const out = decodeWav(Buffer.concat([header(1, 2, 16, 8, list), data]));
    expect(out.sampleRate).toBe(44_100);
    expect(Array.from(out.samples)).toEqual([0.25, -0.75]);
  });

  it('accepts a data size larger than the file (streamed capture)', () => {
    const wav = encodeWav(Float32Array.of(0.5, 0.5), 16_000);
    wav.writeUInt32LE(0xffffffff, 40);
    expect(decodeWav(wav).samples).toHaveLength(2);
  });

  it('refuses non-16-bit, float, multichannel and non-WAV input with INTERNAL', () => {
    const bad: [Buffer, RegExp][] = [
      [header(1, 1, 24, 0), /24-bit/],
      [header(3, 1, 32, 0), /format 3/],
      [header(1, 6, 16, 0), /6 channel/],
      [Buffer.from('not a wav file at all'), /not a RIFF\/WAVE/],
      [encodeWav(new Float32Array(0), 8000).subarray(0, 36), /no data chunk/],
    ];
    for (const [buf, msg] of bad) {
      let err: unknown;
      try {
        decodeWav(buf);
      } catch (e) {
        err = e;
      }
      expect(isHiltError(err, 'INTERNAL')).toBe(true);
      expect((err as Error).message).toMatch(msg);
    }
  });
});
