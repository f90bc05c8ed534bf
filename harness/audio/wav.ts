// Minimal 16-bit PCM WAV codec for capture artifacts: enough to save what was heard and read it back.
import { HiltError } from '../errors.ts';

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

export function encodeWav(samples: Float32Array, sampleRate: number): Buffer {
  const dataBytes = samples.length * 2;
  const b = Buffer.alloc(44 + dataBytes);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + dataBytes, 4);
  b.write('WAVE', 8, 'ascii');
  b.write('fmt ', 12, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * 2, 28); // byte rate
  b.writeUInt16LE(2, 32); // block align
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]! || 0)); // `|| 0` turns NaN into silence
    // Same 1/32768 scale as decoding (and int16ToFloat), so values round-trip; +1.0 saturates.
    b.writeInt16LE(Math.min(32767, Math.round(v * 32768)), 44 + i * 2);
  }
  return b;
}

const fail = (summary: string, seen: string) =>
  new HiltError('INTERNAL', `cannot decode WAV: ${summary}`, {
    expected: '16-bit PCM RIFF/WAVE, mono or stereo',
    seen,
  });

export function decodeWav(buf: Buffer): { sampleRate: number; samples: Float32Array } {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE')
    throw fail('not a RIFF/WAVE file', `first bytes ${JSON.stringify(buf.toString('latin1', 0, 12))}`);
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | undefined;
  let data: Buffer | undefined;
  // Walk chunks: real files carry LIST/fact/etc. before or after the data.
  for (let at = 12; at + 8 <= buf.length && !data;) {
    const id = buf.toString('ascii', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = buf.subarray(at + 8, Math.min(buf.length, at + 8 + size)); // streamed files lie about size
    if (id === 'fmt ') {
      if (body.length < 16) throw fail('fmt chunk too short', `${body.length} bytes`);
      let format = body.readUInt16LE(0);
      if (format === WAVE_FORMAT_EXTENSIBLE && body.length >= 26) format = body.readUInt16LE(24); // subformat GUID
      fmt = { format, channels: body.readUInt16LE(2), sampleRate: body.readUInt32LE(4), bits: body.readUInt16LE(14) };
    } else if (id === 'data') {
      data = body;
    }
    at += 8 + size + (size % 2); // chunks are word-aligned
  }
  if (!fmt) throw fail('no fmt chunk before the data', 'missing fmt chunk');
  if (!data) throw fail('no data chunk', 'missing data chunk');
  if (fmt.format !== WAVE_FORMAT_PCM || fmt.bits !== 16 || (fmt.channels !== 1 && fmt.channels !== 2))
    throw fail('unsupported sample format', `format ${fmt.format}, ${fmt.bits}-bit, ${fmt.channels} channel(s)`);
  const frame = fmt.channels * 2;
  const samples = new Float32Array(Math.floor(data.length / frame));
  for (let i = 0; i < samples.length; i++) {
    let sum = 0;
    for (let c = 0; c < fmt.channels; c++) sum += data.readInt16LE(i * frame + c * 2);
    samples[i] = sum / fmt.channels / 32768;
  }
  return { sampleRate: fmt.sampleRate, samples };
}
