// The pure parts of `rig check` on macOS, from COMPOSED answers of hilt-coreaudio (no Mac has run it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultOutputNote } from '../coreaudio-rig.ts';
import { chooseDevices } from '../coreaudio/choose.ts';
import { parseDevices, parseProcesses, parseTaps } from '../coreaudio/parse.ts';
import { defaultRigKind } from '../rig.ts';
import { virtualIsLinuxOnly } from '../start.ts';
import { devicesLine, grantLine, processesLine, tapsLine } from './coreaudio.ts';
import { verdictOf, type CheckLine } from './facts.ts';

const composed = (f: string) => readFileSync(join(import.meta.dirname, '..', 'coreaudio', 'composed', f), 'utf8');
const mac14 = parseDevices(composed('devices-macos14.json')).devices;
const ok = (id: string): CheckLine => ({ id, status: 'ok', text: id, required: true });

describe('rig check on macOS: lines from facts', () => {
  it('every device with its transport; aggregates with their sub-devices; defaults marked', () => {
    const { devices, line } = devicesLine(mac14);
    expect(line.text).toContain('"BlackHole 2ch" (virtual, in 2 out 2, default output, default input)');
    expect(line.text).toContain('"FineTune Aggregate" (aggregate, of BuiltInSpeakerDevice + BlackHole2ch_UID, in 2 out 2)');
    expect(line.text).toContain('"Multi-Output Device" (aggregate, of no sub-device, in ? out 2)');
    expect(devices.sinks.map((d) => d.name)).not.toContain('MacBook Pro Microphone');
    expect(devices.sources.map((d) => d.name)).toEqual([
      'MacBook Pro Microphone',
      'BlackHole 2ch',
      'FineTune Aggregate',
      'Multi-Output Device',
    ]);
  });

  it('no grant: a required line that is missing, with the fix; the rig is unusable (77)', () => {
    const line = grantLine({ grant: 'no-grant', why: '500 ms captured while a tone played, every sample exactly zero' }, 'BlackHole 2ch');
    expect(line).toMatchObject({
      id: 'microphone',
      status: 'missing',
      required: true,
      fix: expect.stringMatching(/Privacy & Security > Microphone/),
    });
    expect(verdictOf([ok('server'), line])).toEqual({ usable: false, missing: [`microphone: ${line.fix}`] });
    expect(verdictOf([ok('server'), grantLine({ grant: 'granted', why: 'the tone played was heard' }, 'BlackHole 2ch')]).usable).toBe(true);
    expect(grantLine({ grant: 'unknown', why: 'only 100 ms captured' }, 'x')).toMatchObject({ status: 'info', required: false });
  });

  it('taps and processes are optional: missing on an older macOS, never the verdict', () => {
    const old = tapsLine(parseTaps(composed('taps-macos13.json')));
    expect(old).toMatchObject({ id: 'taps', status: 'missing', required: false, fix: 'macOS 14.2 or later lists process taps' });
    expect(verdictOf([ok('server'), old]).usable).toBe(true);
    expect(tapsLine(parseTaps(composed('taps-macos14.json'))).text).toBe(
      'process taps listable (macOS 14.6.1): 2: "FineTune tap 4242", "0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9"',
    );
    expect(processesLine(parseProcesses(composed('processes-macos14.json'))).text).toBe(
      'audio processes listable: 3, playing now: com.apple.Music',
    );
  });

  it('the default output elsewhere than the observed one is said, with how to change it', () => {
    const c = chooseDevices(parseDevices(composed('devices-no-blackhole.json')).devices, {
      output: 'MacBook Pro Speakers',
      capture: 'MacBook Pro Microphone',
    });
    expect(c.ok && defaultOutputNote(c.choice)).toBe(undefined);
    const bh = chooseDevices(mac14.map((d) => ({ ...d, defaultOutput: d.name === 'AirPods' })));
    expect(bh.ok && defaultOutputNote(bh.choice)).toBe(
      'the default output is "AirPods", not "BlackHole 2ch": a target that plays to the default is not heard ' +
        '(SwitchAudioSource -s "BlackHole 2ch", or pnpm provision)',
    );
  });
});

describe('the rig chosen on macOS', () => {
  it('the default is the system rig (CoreAudio) on darwin as on win32; the virtual rig is refused there', () => {
    expect(['linux', 'win32', 'darwin'].map((os) => defaultRigKind(os as NodeJS.Platform))).toEqual(['virtual', 'system', 'system']);
    const e = virtualIsLinuxOnly('darwin');
    expect(e.code).toBe('RIG_MISSING');
    expect(e.hint).toBe('use --rig system (the CoreAudio rig with BlackHole 2ch, the default on macOS)');
  });
});
