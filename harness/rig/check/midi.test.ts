import { describe, expect, it } from 'vitest';
import { HiltError } from '../../errors.ts';
import { midiFacts, midiRoundTrip, type LoopProbe } from './midi.ts';

const has = (files: string[], tools: string[]) => ({ file: (p: string) => files.includes(p), tool: (t: string) => tools.includes(t) });

describe('midiFacts', () => {
  it('virtual rig: JACK MIDI through pipewire-jack', () => {
    expect(midiFacts('linux', has([], ['pw-jack']), 'virtual')).toMatchObject({ present: true, pwJack: true, alsaSequencer: false });
    expect(midiFacts('linux', has([], []), 'virtual')).toMatchObject({
      present: false,
      fix: expect.stringMatching(/apt-get install -y pipewire-jack/),
    });
  });

  it('system rig on Linux: the ALSA sequencer or a JACK server; otherwise modprobe snd-virmidi', () => {
    expect(midiFacts('linux', has(['/dev/snd/seq'], []), 'system')).toMatchObject({ present: true, alsaSequencer: true });
    expect(midiFacts('linux', has([], ['jackd']), 'system')).toMatchObject({ present: true, jackd: true });
    const none = midiFacts('linux', has([], []), 'system');
    expect(none.present).toBe(false);
    expect(none.fix).toMatch(/modprobe snd-seq && sudo modprobe snd-virmidi .*apt-get install -y alsa-utils.*pipewire-jack/);
    expect(midiFacts('linux', has([], ['pw-jack']), 'system').fix).not.toMatch(/pipewire-jack/);
  });

  it('macOS and Windows: CoreMIDI with the IAC driver, WinMM with loopMIDI', () => {
    expect(midiFacts('darwin', has([], []), 'system')).toMatchObject({ api: 'CoreMIDI', fix: expect.stringMatching(/IAC Driver/) });
    expect(midiFacts('win32', has([], []), 'system')).toMatchObject({ api: 'WinMM', fix: expect.stringMatching(/loopMIDI \(https:/) });
  });
});

// A stand-in for hilt-midi-probe: `loops` says whether connecting its own ports works.
function fakeProbe(loops: boolean, log: string[]): LoopProbe {
  return {
    name: 'p',
    describe: 'fake probe',
    connect: async (out, inp) => {
      log.push(`connect ${out} ${inp}`);
      if (!loops)
        throw new HiltError('TARGET_NOT_READY', 'no', { seen: "error no readable port and writable port match 'p-out:out p:in'" });
    },
    roundTrip: async () => ({ ok: true, latencyMs: 1.5, received: [] }),
    destroy: async () => void log.push('destroy'),
  };
}

describe('midiRoundTrip', () => {
  it('a probe that cannot loop to itself: present, round trip not measured, with its answer; destroyed', async () => {
    const log: string[] = [];
    const rt = await midiRoundTrip({}, async () => fakeProbe(false, log));
    expect(rt).toMatchObject({ measured: false, ok: true });
    expect(rt.problem).toMatch(/^present, round trip not measured: the probe cannot loop to itself .*it answered: error no readable port/);
    expect(log).toEqual(['connect p-out:out p:in', 'destroy']);
  });

  it('a probe that loops: the round trip is measured', async () => {
    const log: string[] = [];
    expect(await midiRoundTrip({}, async () => fakeProbe(true, log))).toMatchObject({ measured: true, ok: true, latencyMs: 1.5 });
    expect(log.at(-1)).toBe('destroy');
  });

  it('a probe that does not open: not ok, with the hint as the fix', async () => {
    const rt = await midiRoundTrip({}, async () => {
      throw new HiltError('RIG_MISSING', 'JACK MIDI needs pipewire-jack', {
        seen: 'pw-jack not on PATH',
        hint: 'sudo apt-get install -y pipewire-jack',
      });
    });
    expect(rt).toMatchObject({ measured: false, ok: false, fix: 'sudo apt-get install -y pipewire-jack' });
    expect(rt.problem).toMatch(/did not open: JACK MIDI needs pipewire-jack: pw-jack not on PATH/);
  });
});
