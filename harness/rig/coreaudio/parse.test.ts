// hilt-coreaudio's answers as native/mac/hilt_coreaudio.c prints them: COMPOSED samples
// (composed/, written by hand from its format; no Mac has run it yet), read by the pure parsers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isHiltError } from '../../errors.ts';
import { BLACKHOLE, chooseDevices } from './choose.ts';
import { grantFrom } from './grant.ts';
import { requireCoreaudioHelper, requireSox, soxIo } from './helper.ts';
import { aggregateObjects, isPhantom, phantomObject, playsOutput, tapObjects, vanishedUids } from './inventory.ts';
import { helperProblem, parseDestroyed, parseDevices, parsePhantom, parseProcesses, parseTaps, type Device } from './parse.ts';

const composed = (f: string) => readFileSync(join(import.meta.dirname, 'composed', f), 'utf8');
const mac14 = parseDevices(composed('devices-macos14.json'));

describe('hilt-coreaudio devices (composed)', () => {
  it('reads every device with its transport, channels and default marks; the $comment is not a field', () => {
    expect(mac14.macos).toBe('14.6.1');
    expect(mac14).not.toHaveProperty('$comment');
    expect(mac14.devices.map((d) => `${d.transport} ${d.name} in ${d.inputChannels} out ${d.outputChannels}`)).toEqual([
      'builtin MacBook Pro Microphone in 1 out 0',
      'builtin MacBook Pro Speakers in 0 out 2',
      'virtual BlackHole 2ch in 2 out 2',
      'aggregate FineTune Aggregate in 2 out 2',
      'aggregate Multi-Output Device in null out 2',
      'bluetooth AirPods in 0 out 2',
      'zzzz A device of a transport hilt does not name in 0 out 2',
    ]);
    expect(mac14.devices.filter((d) => d.defaultOutput || d.defaultInput).map((d) => d.name)).toEqual([BLACKHOLE]);
  });

  it('aggregates are inventory, with their UID, sub-devices and whether private; other devices are not', () => {
    expect(aggregateObjects(mac14.devices)).toEqual([
      {
        kind: 'coreaudio-aggregate',
        id: '112',
        name: 'FineTune Aggregate',
        ownerPid: undefined,
        ownerAlive: undefined,
        detail: 'uid com.example.finetune.aggregate-4242-0; aggregate; sub-devices BuiltInSpeakerDevice, BlackHole2ch_UID',
        key: 'coreaudio-aggregate:com.example.finetune.aggregate-4242-0',
      },
      expect.objectContaining({ name: 'Multi-Output Device', detail: 'uid ~:AMS2_StackedOutput:0; aggregate; sub-devices none' }),
    ]);
  });

  it('a helper of another shape is TOOL_FAILED naming the field, not misread', () => {
    const bad = JSON.stringify({ macos: '14', devices: [{ ...mac14.devices[0], inputChannels: 'one' }] });
    expect(() => parseDevices(bad)).toThrow(/devices\.0\.inputChannels/);
    try {
      parseDevices('hilt-coreaudio: usage');
    } catch (e) {
      expect(isHiltError(e, 'TOOL_FAILED')).toBe(true);
      expect((e as Error).message).toMatch(/^hilt-coreaudio devices answered in a shape hilt does not read\n {2}expected: /);
    }
  });
});

describe('chooseDevices', () => {
  it('BlackHole 2ch plays and hears itself; the default output is said', () => {
    expect(chooseDevices(mac14.devices)).toEqual({
      ok: true,
      choice: { output: BLACKHOLE, capture: BLACKHOLE, how: 'BlackHole 2ch', defaultOutput: BLACKHOLE },
    });
  });

  it('no BlackHole: the problem names the outputs there are, and it is BlackHole that is missing', () => {
    const none = parseDevices(composed('devices-no-blackhole.json')).devices;
    expect(chooseDevices(none)).toEqual({
      ok: false,
      problem: 'no output device "BlackHole 2ch" (outputs: "MacBook Pro Speakers")',
      missingBlackHole: true,
    });
  });

  it('a rig file names devices by name or UID; an unknown one is said with what exists', () => {
    expect(chooseDevices(mac14.devices, { output: 'BuiltInSpeakerDevice', capture: 'MacBook Pro Microphone' })).toMatchObject({
      ok: true,
      choice: { output: 'MacBook Pro Speakers', capture: 'MacBook Pro Microphone', how: 'the rig file names both' },
    });
    expect(chooseDevices(mac14.devices, { output: 'MacBook Pro Speakers' })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^"MacBook Pro Speakers" has no input channels to hear itself by \(inputs: "MacBook Pro Mic/),
      missingBlackHole: false,
    });
    expect(chooseDevices(mac14.devices, { output: BLACKHOLE, capture: 'Loopback Audio' })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^no input device "Loopback Audio" \(inputs: /),
    });
  });

  it('a channel count that could not be read is not taken for none', () => {
    const d: Device = { ...mac14.devices[2]!, inputChannels: null, outputChannels: null };
    expect(chooseDevices([d])).toMatchObject({ ok: true, choice: { output: BLACKHOLE, capture: BLACKHOLE } });
  });
});

describe('hilt-coreaudio taps (composed)', () => {
  it('macOS 14.2+: each tap with the processes it taps and how it mutes them; an unreadable description says why', () => {
    const t = parseTaps(composed('taps-macos14.json'));
    expect(t.supported).toBe(true);
    if (!t.supported) return;
    expect(tapObjects(t.taps).map((o) => [o.kind, o.id, o.name, o.detail])).toEqual([
      ['coreaudio-tap', '160', 'FineTune tap 4242', 'uid 7C1F3E2A-0D4B-4E8F-9A61-3B2C5D6E7F80; taps pid 5150; mute muted-when-tapped'],
      [
        'coreaudio-tap',
        '161',
        '0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9',
        "uid 0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9; taps no process; kAudioTapPropertyDescription: OSStatus '!obj' (560947818)",
      ],
    ]);
  });

  it('an exclusive tap taps every process but those listed', () => {
    const t = parseTaps(composed('taps-macos14.json'));
    if (!t.supported) throw new Error('composed as supported');
    const all = { ...t.taps[0]!, exclusive: true, processes: [{ object: 9, pid: null }] };
    expect(tapObjects([all])[0]!.detail).toMatch(/; taps every process but object 9; /);
  });

  it('before macOS 14.2: unsupported, with the reason, never an empty list', () => {
    expect(parseTaps(composed('taps-macos13.json'))).toEqual({
      macos: '13.6.7',
      supported: false,
      why: 'kAudioHardwarePropertyTapList is not a property of this system object (process taps need macOS 14.2 or later)',
    });
  });
});

describe('hilt-coreaudio processes (composed)', () => {
  it('readiness by "stream": a process that runs output', () => {
    const p = parseProcesses(composed('processes-macos14.json'));
    if (!p.supported) throw new Error('composed as supported');
    expect(playsOutput(p.processes, [5150])).toBe(true);
    expect(playsOutput(p.processes, [4242])).toBe(false); // input only
    expect(playsOutput(p.processes, [777, 1])).toBe(false);
  });
});

describe('phantom aggregates (muesli #387)', () => {
  it('the probe: phantom, listed or free', () => {
    expect(parsePhantom(composed('phantom-nope.json'))).toEqual({
      uid: 'com.example.finetune.aggregate-4242-0',
      result: 'phantom',
      status: "'nope' (1852797029)",
    });
    expect(parsePhantom(composed('phantom-listed.json'))).toMatchObject({ result: 'listed', id: 112 });
    expect(parsePhantom(composed('phantom-free.json'))).toMatchObject({ result: 'free' });
  });

  it('a phantom is an aggregate of the same key as when it was listed, marked as a phantom', () => {
    const p = parsePhantom(composed('phantom-nope.json'));
    if (p.result !== 'phantom') throw new Error('composed as a phantom');
    const o = phantomObject(p);
    expect(o.key).toBe(aggregateObjects(mac14.devices)[0]!.key);
    expect(isPhantom(o)).toBe(true);
    expect(isPhantom(aggregateObjects(mac14.devices)[0]!)).toBe(false);
  });

  it('only UIDs seen earlier and listed no longer are probed', () => {
    const seen = new Set(['com.example.finetune.aggregate-4242-0', 'gone-1', 'BlackHole2ch_UID']);
    expect(vanishedUids(seen, mac14.devices)).toEqual(['gone-1', 'BlackHole2ch_UID']);
  });
});

it('destroy and the error line (composed)', () => {
  expect(parseDestroyed(composed('destroy-aggregate.json'))).toEqual({
    destroyed: 'aggregate',
    id: 112,
    uid: 'com.example.finetune.aggregate-4242-0',
  });
  expect(helperProblem(composed('create-failed.stderr.txt'))).toBe(
    "hilt-coreaudio: phantom-probe: AudioHardwareCreateAggregateDevice failed: OSStatus 'what' (2003329396)",
  );
});

describe('the microphone grant from a capture', () => {
  const rate = 48_000;
  it('zeros while a tone played: no grant; the tone heard: granted; too short or other sound: unknown', () => {
    expect(grantFrom(new Float32Array(rate / 2), rate, false)).toEqual({
      grant: 'no-grant',
      why: '500 ms captured while a tone played, every sample exactly zero (what macOS gives without the grant)',
    });
    expect(grantFrom(new Float32Array(rate / 2), rate, true).grant).toBe('granted');
    expect(grantFrom(new Float32Array(rate / 10), rate, false)).toMatchObject({ grant: 'unknown', why: /^only 100 ms captured/ });
    const noise = new Float32Array(rate).map((_, i) => (i % 7 === 0 ? 0.001 : 0));
    expect(grantFrom(noise, rate, false)).toMatchObject({ grant: 'unknown', why: /not silent but without the tone/ });
  });
});

describe("SoX's coreaudio driver as the rig's player and recorder", () => {
  it('s16le mono at the rig rate through the named device; the recorder stops on SIGINT, the player at EOF', () => {
    const io = soxIo('/opt/homebrew/bin/sox');
    expect(io.recorder(BLACKHOLE, 48_000)).toEqual({
      file: '/opt/homebrew/bin/sox',
      args: ['-q', '-V1', '--buffer', '1920', '-t', 'coreaudio', 'BlackHole 2ch', '-t', 'raw', '-e', 'signed-integer', '-b', '16'].concat([
        '-c',
        '1',
        '-r',
        '48000',
        '-',
      ]),
    });
    expect(io.player(BLACKHOLE, 'victim', 48_000).args.slice(-4)).toEqual(['-', '-t', 'coreaudio', 'BlackHole 2ch']);
    expect([io.recorderStop, io.playerStop]).toEqual(['SIGINT', 'eof']);
  });

  it('what is missing is RIG_MISSING saying how to get it', () => {
    expect(() => requireSox(() => undefined)).toThrow(/brew install sox/);
    expect(() => requireCoreaudioHelper(() => false)).toThrow(/pnpm build:native:mac/);
    expect(
      isHiltError(
        captureError(() => requireSox(() => undefined)),
        'RIG_MISSING',
      ),
    ).toBe(true);
  });

  it("a sox without the coreaudio driver (Debian's lists only pulseaudio) is RIG_MISSING, naming what it has", () => {
    const help = (drivers: string) => () =>
      `sox: SoX v14.4.2\n\nAUDIO FILE FORMATS: raw wav\nAUDIO DEVICE DRIVERS: ${drivers}\n\nEFFECTS: synth`;
    expect(requireSox(() => '/opt/homebrew/bin/sox', help('coreaudio'))).toBe('/opt/homebrew/bin/sox');
    const e = captureError(() => requireSox(() => '/usr/bin/sox', help('pulseaudio')));
    expect(isHiltError(e, 'RIG_MISSING')).toBe(true);
    expect((e as Error).message).toMatch(
      /\/usr\/bin\/sox has none\n.*\n {2}seen: +AUDIO DEVICE DRIVERS: pulseaudio\n {2}to fix: +brew install sox/,
    );
  });
});

const captureError = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};
