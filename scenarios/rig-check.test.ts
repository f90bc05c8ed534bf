// `pnpm rig check`, the real CLI: on the virtual rig it is usable and measures the loopback; on
// this machine's missing session server it is unavailable (77) and says how to get one; against a
// stand-in session server it adds and removes only its own sink and leaves the session as it was;
// a usage error is 2; and nothing of the check is left running or on disk.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import type { RigCheckReport } from '../harness/rig/check/facts.ts';
import { VirtualRig } from '../harness/rig/virtual-rig.ts';
import { ROOT } from '../harness/target/config.ts';
import { hiltArgs, newOutDir } from './run-cli.ts';

const DAEMONS = /^(pipewire|wireplumber|pipewire-pulse|parecord|pacat|hilt-midi-probe)$/;

// Processes whose environment carries `marker` (every child of the check inherits the CLI's).
function processesWith(marker: string): { pid: number; comm: string }[] {
  const found: { pid: number; comm: string }[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (!readFileSync(`/proc/${p}/environ`, 'latin1').includes(marker)) continue;
      found.push({ pid: Number(p), comm: readFileSync(`/proc/${p}/comm`, 'latin1').trim() });
    } catch {
      /* gone */
    }
  }
  return found;
}

// The check's runs get a temp dir of their own (TMPDIR): unit tests running meanwhile make hilt-*
// dirs in the shared /tmp that are not the check's.
const RUN_TMP = mkdtempSync(join(tmpdir(), 'rigcheck-test-'));
afterAll(() => rmSync(RUN_TMP, { recursive: true, force: true }));
const hiltDirs = (): string[] => readdirSync(RUN_TMP).filter((n) => n.startsWith('hilt-'));

// The session variables left out unless given: this machine's shell has no desktop session.
async function rig(args: string[], session: Record<string, string> = {}) {
  const marker = `HILT_RIG_CHECK_TEST=${process.pid}-${Math.random().toString(36).slice(2)}`;
  const env: Record<string, string | undefined> = {
    ...process.env,
    TMPDIR: RUN_TMP,
    [marker.split('=')[0]!]: marker.split('=')[1],
    ...session,
  };
  if (!session.XDG_RUNTIME_DIR) delete env.XDG_RUNTIME_DIR;
  if (!session.PULSE_SERVER) delete env.PULSE_SERVER;
  const dirsBefore = new Set(hiltDirs());
  const r = await execa(process.execPath, hiltArgs('rig', args), {
    cwd: ROOT,
    env,
    extendEnv: false,
    reject: false,
    timeout: 60_000,
  });
  // Right at exit: the check stopped what it started itself (the reaper is only the safety net).
  const left = processesWith(marker).filter((p) => DAEMONS.test(p.comm));
  const newDirs = hiltDirs().filter((d) => !dirsBefore.has(d));
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), left, newDirs };
}

describe('pnpm rig check', () => {
  test('virtual rig: usable (0); the server, the loopback latency and level as numbers, MIDI; nothing left', async () => {
    const r = await rig(['check', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as RigCheckReport;
    expect(report).toMatchObject({ schemaVersion: 1, rig: 'virtual', usable: true, exitCode: 0 });
    expect(report.server).toMatchObject({ name: 'PipeWire', version: '0.3.65' });
    expect(report.host.cpus).toBeGreaterThan(0);
    expect(report.devices?.sources).toContainEqual(expect.objectContaining({ name: 'hilt-observed.monitor', monitorOf: 'hilt-observed' }));
    const l = report.loopback!;
    expect(l).toMatchObject({ ok: true, output: 'hilt-observed', capture: 'hilt-observed.monitor', toneHz: 440 });
    expect(l.latencyMs).toEqual(expect.any(Number));
    expect(l.latencyMs!).toBeLessThan(3000);
    expect(l.level?.rms).toEqual(expect.any(Number));
    expect(l.level!.relativeDb).toBeGreaterThan(-20);
    expect(report.midi).toMatchObject({ pwJack: true, present: true });
    expect(report.midi.roundTrip?.problem ?? `round trip ${report.midi.roundTrip?.latencyMs} ms`).toMatch(
      /round trip (not measured|[\d.]+ ms)/,
    );
    expect(r.left).toEqual([]);
    expect(r.newDirs).toEqual([]);
    expect(existsSync(report.server!.how.replace(/^hilt's private server in /, ''))).toBe(false);
  });

  test('the human text: one line per fact and the verdict', async () => {
    const r = await rig(['check']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hilt rig check: virtual rig/);
    expect(r.stdout).toMatch(/\n {2}ok {7}audio server {2}PipeWire 0\.3\.65 /);
    expect(r.stdout).toMatch(
      /\n {2}ok {7}loopback {6}hilt-observed -> hilt-observed\.monitor, 440 Hz .*latency [\d.]+ ms .*level RMS [\d.]+/,
    );
    expect(r.stdout).toMatch(/\nverdict: usable \(exit 0\)/);
    expect(r.left).toEqual([]);
  });

  test('system rig with no session server here: unavailable (77), what is missing and how to get it', async () => {
    const r = await rig(['check', '--rig', 'system']);
    expect(r.exitCode, r.stderr).toBe(77);
    expect(r.stdout).toMatch(/MISSING {2}audio server {2}no audio server of the session answers: neither PULSE_SERVER nor XDG_RUNTIME_DIR/);
    expect(r.stdout).toMatch(/to fix: .*apt-get install -y pipewire pipewire-pulse wireplumber.*--rig virtual/);
    expect(r.stdout).toMatch(/MISSING {2}midi .*no \/dev\/snd\/seq.*\n.*to fix: .*modprobe snd-virmidi/);
    expect(r.stdout).toMatch(/verdict: unavailable \(exit 77\): audio server not usable/);
    expect(r.left).toEqual([]);
    expect(r.newDirs).toEqual([]);
  });

  test('system rig on a stand-in session server: the loopback through its own null sink, removed; the session as it was', async () => {
    const session = await VirtualRig.start({ healthCheck: false });
    const other = session.playTone('someone-elses-app', 1000, 0.1);
    try {
      const modulesBefore = (await session.pactl(['list', 'short', 'modules'])).stdout;
      const r = await rig(['check', '--rig', 'system', '--json'], { XDG_RUNTIME_DIR: session.env.XDG_RUNTIME_DIR! });
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      const report = JSON.parse(r.stdout) as RigCheckReport;
      expect(report.server).toMatchObject({ name: 'PipeWire', version: '0.3.65' });
      expect(report.loopback).toMatchObject({ ok: true, output: expect.stringMatching(/^hilt-check-\d+$/), latencyMs: expect.any(Number) });
      expect(report.session).toMatchObject({ defaultSink: 'hilt-observed', unchanged: true, changes: [] });
      expect((await session.pactl(['list', 'short', 'modules'])).stdout).toBe(modulesBefore);
      expect((await session.pactl(['get-default-sink'])).stdout.trim()).toBe('hilt-observed');
      expect(await session.routeOf('someone-elses-app')).toBe('hilt-observed');
      expect(r.left).toEqual([]);
      // A rig file's device pair (here the session's own sink and its monitor): measured, nothing loaded.
      const file = join(newOutDir('rig-check'), 'rig.json');
      writeFileSync(file, JSON.stringify({ output: 'hilt-observed', capture: 'hilt-observed.monitor' }));
      const paired = await rig(['check', '--rig', 'system', '--rig-config', file, '--json'], {
        XDG_RUNTIME_DIR: session.env.XDG_RUNTIME_DIR!,
      });
      expect(paired.exitCode, paired.stdout + paired.stderr).toBe(0);
      expect(JSON.parse(paired.stdout).loopback).toMatchObject({ ok: true, output: 'hilt-observed', capture: 'hilt-observed.monitor' });
      expect((await session.pactl(['list', 'short', 'modules'])).stdout).toBe(modulesBefore);
    } finally {
      await other.stop();
      await session.stop();
    }
  });

  test.each([
    [['check', '--rig', 'bogus'], /bad --rig value "bogus"\n {2}expected: --rig virtual or --rig system\n {2}seen: {5}--rig bogus/],
    [['check', '--frobnicate'], /unknown flag --frobnicate/],
    [['chek'], /unknown command "chek"/],
    [[], /no command given/],
  ])('usage error %j: exit 2 with the usage, before anything starts', async (args, message) => {
    const r = await rig(args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(
      /usage:\n {2}pnpm rig check \[--rig virtual\|system\] \[--rig-server <[^>]+>\] \[--rig-config <rig file>\] \[--json\]/,
    );
    expect(r.stdout).toBe('');
    expect(r.left).toEqual([]);
  });
});
