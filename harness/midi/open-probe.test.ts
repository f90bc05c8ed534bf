// Against the real libraries of this machine: no ALSA sequencer (no /dev/snd) and, in an empty
// runtime dir, no JACK server either. The probe must say both, and how to get either.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isHiltError } from '../errors.ts';
import { openMidiProbe } from './open-probe.ts';

const empty = mkdtempSync(join(tmpdir(), 'hilt-no-midi-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('openMidiProbe with no MIDI at all', () => {
  it('is RIG_MISSING naming the missing system MIDI and the missing JACK server', async () => {
    const err = await openMidiProbe({ kind: 'system', env: { XDG_RUNTIME_DIR: empty, PIPEWIRE_RUNTIME_DIR: empty } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHiltError(err, 'RIG_MISSING'), String(err)).toBe(true);
    const e = err as Error & { seen?: string; hint?: string };
    expect(e.message).toMatch(/^no MIDI on this rig: neither system MIDI nor JACK MIDI could be opened/);
    expect(e.seen).toMatch(/system MIDI: system MIDI is not available: the ALSA sequencer/);
    expect(e.seen).toMatch(/JACK MIDI: the MIDI probe could not open JACK MIDI/);
    expect(e.hint).toMatch(/modprobe snd-seq/);
    expect(e.hint).toMatch(/pipewire-jack/);
  }, 15_000);
});
