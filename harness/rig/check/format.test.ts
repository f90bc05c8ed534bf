import { describe, expect, it } from 'vitest';
import type { RigCheckReport } from './facts.ts';
import { formatRigCheck, rigCheckJson } from './format.ts';

const report = (over: Partial<RigCheckReport> = {}): RigCheckReport => ({
  schemaVersion: 1,
  rig: 'virtual',
  usable: true,
  exitCode: 0,
  host: { os: 'linux', osName: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0', arch: 'x64', cpus: 2 },
  midi: { api: 'ALSA sequencer / JACK', present: true },
  tools: [],
  lines: [
    { id: 'os', status: 'info', text: 'Debian GNU/Linux 12 (bookworm), linux 6.1.0 x64', required: false },
    { id: 'server', status: 'ok', text: 'PipeWire 0.3.65', required: true },
    { id: 'wine', status: 'info', text: 'wine64: not installed', fix: 'sudo apt-get install -y wine64', required: false },
  ],
  missing: [],
  durationMs: 1500,
  ...over,
});

describe('formatRigCheck', () => {
  it('one aligned line per fact, the fix under what lacks one, optional parts said so, the verdict last', () => {
    expect(formatRigCheck(report())).toBe(
      [
        "hilt rig check: virtual rig (hilt's own private PipeWire, started for the check and stopped after it)",
        '  --       os            Debian GNU/Linux 12 (bookworm), linux 6.1.0 x64',
        '  ok       audio server  PipeWire 0.3.65',
        '  --       wine          wine64: not installed (optional)',
        '                         to fix: sudo apt-get install -y wine64',
        'verdict: usable (exit 0) in 1.5 s',
      ].join('\n'),
    );
  });

  it('unavailable: names what is not usable', () => {
    const r = report({
      rig: 'system',
      usable: false,
      exitCode: 77,
      lines: [
        {
          id: 'server',
          status: 'missing',
          text: 'no audio server of the session answers',
          fix: 'sudo apt-get install -y pipewire',
          required: true,
        },
      ],
    });
    const text = formatRigCheck(r);
    expect(text).toMatch(/^hilt rig check: system rig/);
    expect(text).toMatch(
      /\n {2}MISSING {2}audio server {2}no audio server of the session answers\n {25}to fix: sudo apt-get install -y pipewire\n/,
    );
    expect(text).toMatch(/verdict: unavailable \(exit 77\): audio server not usable/);
  });

  it("the system rig's title says whose devices: the session's server, WASAPI's endpoints, CoreAudio's devices", () => {
    const title = (os: NodeJS.Platform) => formatRigCheck(report({ rig: 'system', host: { ...report().host, os } })).split('\n')[0];
    expect(title('linux')).toMatch(/^hilt rig check: system rig \(the session's own audio server; /);
    expect(title('win32')).toMatch(/^hilt rig check: system rig \(Windows' own audio endpoints through WASAPI; /);
    expect(title('darwin')).toMatch(
      /^hilt rig check: system rig \(the Mac's own CoreAudio devices, BlackHole 2ch as the observed output; /,
    );
  });

  it('--json is the whole report', () => {
    expect(JSON.parse(rigCheckJson(report()))).toEqual(report());
  });
});
