// The WASAPI rig under Windows's Node (Wine, win10 prefix): `rig check` there, with winepulse on a
// virtual rig started here, must find the endpoints (the rig's sink and its monitor), play a tone
// through hilt-wasapi.exe and hear it back at the level played. PipeWire's own view is the judge
// that it was real: the Linux side's capture heard that tone, its inventory saw hilt-wasapi.exe's
// streams while the check ran and none after. docs/windows.md ("The WASAPI rig").
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RigCheckReport } from '../harness/rig/check/facts.ts';
import { VirtualRig } from '../harness/rig/virtual-rig.ts';
import { ROOT } from '../harness/target/config.ts';
import {
  hasWindowsNode,
  holdWindowsNode,
  runHiltUnderWindowsNode,
  stopWindowsNode,
  WINDOWS_NODE_PREFIX,
} from '../harness/target/windows-node.ts';
import { wineProcessesOf } from '../harness/target/wine.ts';
import { now } from '../harness/wait.ts';

const ready = hasWindowsNode();
const title = "the WASAPI rig under Windows's Node (Wine, winepulse on a virtual rig)";
describe.skipIf(!ready)(ready ? title : `${title}: skipped, set-up did not provide Node for Windows (run: npm run setup)`, () => {
  let rig: VirtualRig;
  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'harness/cli/bin.mjs'), 'build'], { cwd: ROOT, stdio: 'ignore' });
    rig = await VirtualRig.start();
    await holdWindowsNode();
  }, 60_000);
  afterAll(async () => {
    await rig?.stop();
    await stopWindowsNode();
    expect(wineProcessesOf(WINDOWS_NODE_PREFIX)).toEqual([]);
  });

  test('rig check: endpoints, a tone out and back at the level played, heard by PipeWire too', async () => {
    const t0 = now();
    const seen = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const o of (await rig.serverInventory()).objects) if (o.kind === 'pulse-stream') seen.add(o.name);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const r = await runHiltUnderWindowsNode(['rig', 'check', '--json'], { deadlineMs: 120_000, env: rig.env, keepWineserver: true });
    watching = false;
    await watcher;
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as RigCheckReport;
    expect(report).toMatchObject({ rig: 'system', usable: true, host: { os: 'win32' }, server: { name: 'WASAPI' } });
    expect(report.devices!.sinks.map((d) => d.name)).toContain('hilt-observed');
    expect(report.devices!.sources).toContainEqual(
      expect.objectContaining({ name: 'Monitor of hilt-observed', monitorOf: 'hilt-observed' }),
    );
    const l = report.loopback!;
    expect(l).toMatchObject({ ok: true, output: 'hilt-observed', capture: 'Monitor of hilt-observed', toneHz: 440, playedAmplitude: 0.3 });
    expect(Math.abs(l.level!.relativeDb), JSON.stringify(l)).toBeLessThan(1);
    expect(l.latencyMs).toBeLessThan(2000);
    expect(report.lines.find((x) => x.id === 'sessions')).toMatchObject({ status: 'missing', required: false });
    expect(report.lines.find((x) => x.id === 'sessions')!.text).toMatch(/GetSessionEnumerator answered 0x80004001 E_NOTIMPL/);
    // PipeWire's view: the tone played under Wine reached the sink, and Wine's streams were there.
    const heard = await rig.capture.waitFor('present', { after: t0, minRunMs: 100, deadlineMs: 100 });
    expect(heard.ok).toBe(true);
    expect(
      [...seen].some((n) => /hilt-wasapi/i.test(n)),
      [...seen].join(', '),
    ).toBe(true);
    const after = (await rig.serverInventory()).objects.filter((o) => /hilt-wasapi/i.test(o.name));
    expect(after.map((o) => o.name)).toEqual([]);
  }, 150_000);

  test('--rig virtual on Windows: unavailable, Linux only, pointing at the WASAPI rig', async () => {
    const r = await runHiltUnderWindowsNode(['rig', 'check', '--rig', 'virtual'], { deadlineMs: 60_000, keepWineserver: true });
    expect(r.exitCode, r.stderr).toBe(77);
    expect(r.stdout).toMatch(/the virtual rig is a private PipeWire: Linux only \(this is win32\)/);
    expect(r.stdout).toMatch(/to fix: use --rig system \(the WASAPI rig, the default on Windows\)/);
  }, 90_000);
});
