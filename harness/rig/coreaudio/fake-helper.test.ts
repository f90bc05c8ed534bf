// hilt-coreaudio's own C, compiled here against a FAKE CoreAudio (native/mac/fake/: made-up devices, a
// tap, a phantom UID) and run: what it prints is read by the same parsers as on a Mac. This checks its
// JSON, exit codes and error lines; nothing here says the real CoreAudio answers the same (docs/macos.md).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { which } from '../../proc/which.ts';
import { ROOT } from '../../root.ts';
import { chooseDevices } from './choose.ts';
import { aggregateObjects } from './inventory.ts';
import { helperProblem, parseDestroyed, parseDevices, parsePhantom, parseProcesses, parseTaps } from './parse.ts';

const MAC = join(ROOT, 'native', 'mac');
const cc = which('cc');
const dir = mkdtempSync(join(tmpdir(), 'hilt-fake-coreaudio-'));
const exe = join(dir, 'hilt-coreaudio');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(exe, args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, timeout: 5000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe.skipIf(!cc)('hilt-coreaudio against a fake CoreAudio (cc)', () => {
  it('compiles without a warning of its own (gcc warns on every objc_msgSend cast: the runtime is used that way)', () => {
    const include = ['-I', join(MAC, 'fake', 'include')];
    const warn = ['-std=c11', '-Wall', '-Wextra', '-Wpedantic', '-Wshadow', '-Wno-multichar'];
    const check = spawnSync(cc!, [...warn, ...include, '-fsyntax-only', join(MAC, 'hilt_coreaudio.c')], { encoding: 'utf8' });
    const own = check.stderr.split('\n').filter((l) => /(warning|error):/.test(l) && !/non-compatible type/.test(l));
    expect(own).toEqual([]);
    const build = spawnSync(
      cc!,
      ['-std=c11', '-w', ...include, '-o', exe, join(MAC, 'hilt_coreaudio.c'), join(MAC, 'fake', 'fake_coreaudio.c')],
      {
        encoding: 'utf8',
      },
    );
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
  });

  it('devices: JSON the parser reads, a UID with a quote and a backslash escaped; BlackHole chosen', () => {
    const r = run(['devices']);
    expect(r.code).toBe(0);
    const d = parseDevices(r.stdout).devices;
    expect(d.map((x) => `${x.id} ${x.transport} ${x.name} in ${x.inputChannels} out ${x.outputChannels}`)).toEqual([
      '74 builtin MacBook Pro Speakers in 0 out 2',
      '96 virtual BlackHole 2ch in 2 out 2',
      '112 aggregate FineTune Aggregate in 2 out 2',
    ]);
    expect(d[2]!.uid).toBe('com.example.agg-4242-0"q\\');
    expect(aggregateObjects(d)[0]!.detail).toBe('uid com.example.agg-4242-0"q\\; aggregate; private; sub-devices BlackHole2ch_UID');
    expect(chooseDevices(d)).toMatchObject({
      ok: true,
      choice: { output: 'BlackHole 2ch', capture: 'BlackHole 2ch', defaultOutput: 'BlackHole 2ch' },
    });
  });

  it('taps and processes; on a macOS without them, unsupported with the reason', () => {
    expect(parseTaps(run(['taps']).stdout)).toMatchObject({
      supported: true,
      taps: [{ id: 160, name: 'FineTune tap 4242', processes: [{ object: 88, pid: 5150 }], mute: 'muted-when-tapped', exclusive: false }],
    });
    expect(parseProcesses(run(['processes']).stdout)).toMatchObject({
      supported: true,
      processes: [{ pid: 5150, bundleId: null, runningOutput: true, runningInput: false }],
    });
    expect(parseTaps(run(['taps'], { FAKE_OLD: '1' }).stdout)).toMatchObject({ supported: false, why: /macOS 14\.2 or later/ });
    expect(parseProcesses(run(['processes'], { FAKE_OLD: '1' }).stdout)).toMatchObject({ supported: false, why: /macOS 14 or later/ });
  });

  it("phantom-probe: 'nope' is a phantom, a listed UID is not probed, else made and destroyed; a failure leaves stdout empty", () => {
    expect(parsePhantom(run(['phantom-probe', 'phantom-1']).stdout)).toEqual({
      uid: 'phantom-1',
      result: 'phantom',
      status: "'nope' (1852797029)",
    });
    expect(parsePhantom(run(['phantom-probe', 'BlackHole2ch_UID']).stdout)).toEqual({ uid: 'BlackHole2ch_UID', result: 'listed', id: 96 });
    expect(parsePhantom(run(['phantom-probe', 'free-1']).stdout)).toEqual({ uid: 'free-1', result: 'free' });
    const broken = run(['phantom-probe', 'broken']);
    expect([broken.code, broken.stdout]).toEqual([1, '']);
    expect(helperProblem(broken.stderr)).toBe(
      "hilt-coreaudio: phantom-probe: AudioHardwareCreateAggregateDevice failed: OSStatus 'what' (2003329396)",
    );
  });

  it('destroy: the aggregate and the tap by id; not an aggregate is 3; a bad id or command is usage (2)', () => {
    expect(parseDestroyed(run(['destroy-aggregate', '112']).stdout)).toEqual({
      destroyed: 'aggregate',
      id: 112,
      uid: 'com.example.agg-4242-0"q\\',
    });
    expect(parseDestroyed(run(['destroy-tap', '160']).stdout)).toMatchObject({ destroyed: 'tap', id: 160 });
    const notAggregate = run(['destroy-aggregate', '96']);
    expect([notAggregate.code, notAggregate.stderr.trim()]).toEqual([3, 'hilt-coreaudio: destroy-aggregate: no aggregate device 96']);
    expect(run(['destroy-tap', '161']).code).toBe(3);
    expect(run(['destroy-tap', 'x']).code).toBe(2);
    expect(run(['bogus']).code).toBe(2);
    expect(run([]).code).toBe(2);
  });
});
