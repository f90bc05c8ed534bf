// hilt's own CLI under Windows's Node (node.exe 22 from npm, under Wine, process.platform win32):
// the catalogue, a scenario's help and a usage error, as on Linux, the WASAPI rig's rig check, and
// kill9, stop, exit and gc-teardown run by hilt there on Windows programs (one wineserver for all).
// The first step of "hilt itself runs on Windows" (docs/windows.md). The compiled cache is brought up to date by the Linux build first:
// a stale one would be recompiled by tsc under Windows's Node (it works, about 17 s).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RigCheckReport } from '../harness/rig/check/facts.ts';
import { VirtualRig } from '../harness/rig/virtual-rig.ts';
import {
  hasWindowsNode,
  holdWindowsNode,
  runHiltUnderWindowsNode,
  stopWindowsNode,
  WINDOWS_NODE_PREFIX,
} from '../harness/target/windows-node.ts';
import { windowsPath, wineProcessesOf } from '../harness/target/wine.ts';
import type { Summary } from '../harness/report/summary.ts';
import { check, newOutDir } from './run-cli.ts';
import { ROOT } from '../harness/target/config.ts';
import { now, pollUntil } from '../harness/wait.ts';

const ready = hasWindowsNode();
const run = (args: string[]) => runHiltUnderWindowsNode(['scenario', ...args], { deadlineMs: 60_000, keepWineserver: true });

const title = "hilt's CLI under Windows's Node (Wine, win10 prefix)";
describe.skipIf(!ready)(ready ? title : `${title}: skipped, set-up did not provide Node for Windows (run: npm run setup)`, () => {
  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'harness/cli/bin.mjs'), 'build'], { cwd: ROOT, stdio: 'ignore' });
    await holdWindowsNode(); // one wineserver for the three runs, ended in afterAll
  });
  afterAll(async () => {
    await stopWindowsNode();
    expect(wineProcessesOf(WINDOWS_NODE_PREFIX)).toEqual([]);
  });

  test('scenario --list: the catalogue, exit 0', async () => {
    const r = await run(['--list']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/compiling hilt/);
    expect(r.stdout).toMatch(/^scenarios:\n {2}kill9 {2,}SIGKILL an engine/);
    expect(r.stdout).toMatch(/\n {2}gc-teardown {2,}/);
  });

  test('scenario kill9 --help: its parameters with their defaults', async () => {
    const r = await run(['kill9', '--help']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^kill9: SIGKILL an engine/);
    expect(r.stdout).toMatch(/\nparameters \(--set key=value\):\n {2}resume_ms {2}1000 /);
  });

  test('rig check: containment by a job object per target (hilt-winproc and the launcher are built)', async () => {
    const r = await runHiltUnderWindowsNode(['rig', 'check'], { deadlineMs: 60_000, keepWineserver: true });
    expect(r.stdout, r.stderr).toMatch(
      /\n {2}ok {7}containment {3}job objects are available: a job object per target \(named Local\\hilt-\d+-\*/,
    );
  });

  test('a usage error (--set cuont=5): exit 2 and what was wrong', async () => {
    const r = await run(['kill9', '--set', 'cuont=5']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /^hilt: --set cuont: kill9 has no parameter "cuont" \(its parameters: resume_ms, tap_ms, scope, first, notice_ms\)/,
    );
    expect(r.stderr).toContain('\nusage:\n');
  });

  test('a scenario whose fault is a POSIX signal (sigterm) is refused on Windows: exit 2, why, and what to use instead', async () => {
    const r = await run(['sigterm', '--target', 'fixtures/targets/win-engine.json']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /^hilt: sigterm does not run on win32 \(only linux, darwin\): SIGTERM sent from outside has no Windows meaning/,
    );
    expect(r.stderr).toMatch(/to fix: +use stop \(a line, stdin closed, Ctrl\+Break/);
    const group = await run(['kill9', '--set', 'scope=group']);
    expect(group.exitCode, group.stderr).toBe(2);
    expect(group.stderr).toMatch(
      /^hilt: kill9 --set scope=group does not run on Windows \(there: pid, tree\): Windows has no process group to kill/,
    );
  });

  // The WASAPI rig: `rig check` with winepulse on a virtual rig started here must find the endpoints (the
  // rig's sink and its monitor), play a tone through hilt-wasapi.exe and hear it back at the level played.
  // PipeWire's own view is the judge that it was real: the Linux side's capture heard that tone, its
  // inventory saw hilt-wasapi.exe's streams while the check ran and none after. In this file: one
  // wineserver for Node's prefix, which a second file's afterAll would end under it.
  describe('the WASAPI rig (winepulse on a virtual rig)', () => {
    let rig: VirtualRig;
    beforeAll(async () => {
      rig = await VirtualRig.start();
    }, 30_000);
    afterAll(async () => {
      await rig?.stop();
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
      expect(l).toMatchObject({
        ok: true,
        output: 'hilt-observed',
        capture: 'Monitor of hilt-observed',
        toneHz: 440,
        playedAmplitude: 0.3,
      });
      // 0 dB on a quiet machine; -2 dB seen with the suite's other files running (samples lost to load).
      expect(Math.abs(l.level!.relativeDb), JSON.stringify(l)).toBeLessThan(3);
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

    // Scenarios run by hilt itself under Windows's Node: the WASAPI rig, a job object per target and
    // Windows's process facts, as on a Windows runner. Reports go to reports/out (Z:\ to Windows).
    async function scenario(args: string[]) {
      const out = newOutDir('windows-node');
      const r = await runHiltUnderWindowsNode(['scenario', ...args, '--out', windowsPath(out)], {
        env: rig.env,
        keepWineserver: true,
        deadlineMs: 120_000,
      });
      const file = join(out, 'summary.json');
      const summary = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Summary) : undefined;
      return { ...r, out, summary, said: `exit ${r.exitCode}\n${r.stdout}\n${r.stderr}` };
    }
    const streamsOf = async (exe: RegExp) => (await rig.serverInventory()).objects.filter((o) => exe.test(o.name)).map((o) => o.name);

    test("kill9 (its whole job) and stop on Wine's cmd.exe: TerminateJobObject, stdin closed, nothing left, victim heard", async () => {
      for (const args of [['kill9', '--set', 'scope=tree'], ['stop']]) {
        const r = await scenario([...args, '--target', 'fixtures/targets/win-cmd-console.json']);
        expect(r.summary?.verdict, r.said).toBe('pass');
        expect(r.summary!.platform.os).toBe('win32');
        expect(r.summary!.facts?.containment).toMatch(/^a job object of its own/);
        expect(check(r.summary!, 'exit')?.measured).toBe(args[0] === 'kill9' ? 'exit 1' : 'exit 0'); // 1: TerminateJobObject's code
        expect(check(r.summary!, 'no-orphans')?.message).toMatch(
          /^no audio session of it can be left: none of its processes runs \(.*E_NOTIMPL\)/,
        );
      }
    }, 150_000);

    test('exit on Wine\'s cmd.exe (its default target there): exit 3 read as "exit 3", as its config expects', async () => {
      const r = await scenario(['exit']);
      expect(r.summary?.verdict, r.said).toBe('pass');
      expect(r.summary!.target).toBe('wine-cmd');
      expect(check(r.summary!, 'exit')?.measured).toBe('exit 3');
    }, 120_000);

    // The engine's passing kill9 is the same path as cmd.exe's above, plus its sound: checked in these runs.
    // Its helper, started with CREATE_BREAKAWAY_FROM_JOB, is outside the job: found by the tree seen while it ran.
    test('a Windows program whose helper breaks away from its job: kill9, stop and exit each fail naming it; it is ended', async () => {
      const runs = [
        { args: ['kill9', '--target', 'fixtures/targets/win-engine.json'], after: 'TerminateProcess' },
        { args: ['stop', '--target', 'fixtures/targets/win-engine.json'], after: 'the configured stop \\(line\\)' },
        { args: ['exit', '--target', 'fixtures/targets/win-engine-gc-exits.json'], after: 'its own end', name: 'hilt-engine-win-gc-exits' },
      ];
      for (const { args, after, name = 'hilt-engine-win' } of runs) {
        const bad = await scenario([...args, '--bug', 'helper-outlives']);
        expect(bad.exitCode, bad.said).toBe(1);
        const d = bad.summary!.diagnosis!;
        expect(d).toMatch(new RegExp(`^${name} \\(pid \\d+\\) after ${after}: still running after ${name} \\(pid \\d+\\) ended: `));
        expect(d).toMatch(/: hilt-engine-win\.exe\[\d+\] `.*--helper --hz 880` \(found by .*tree; broke away from its job, /);
        expect(d).toMatch(/\(run with bug switch helper-outlives\)$/);
        // PipeWire's view: the helper's stream (winepulse's, named by its exe) is gone, hilt ended it.
        expect(await streamsOf(/hilt-engine-win/i)).toEqual([]);
      }
    }, 240_000);

    // Ctrl+Break travels only on a console, and under Wine 8 a program Node started has none it can
    // travel on (GenerateConsoleCtrlEvent: ERROR_INVALID_HANDLE, however sent): said as unavailable.
    test("stop by Ctrl+Break under Wine: unavailable (exit 77), the launcher's error quoted; the engine still ended", async () => {
      const r = await scenario(['stop', '--target', 'fixtures/targets/win-engine-ctrl-break.json']);
      expect(r.exitCode, r.said).toBe(77);
      expect(r.summary!.verdict).toBe('unavailable');
      expect(r.summary!.diagnosis).toMatch(/^Ctrl\+Break cannot reach hilt-engine-win-ctrl-break on this system/);
      expect(r.summary!.diagnosis).toMatch(/seen: +hilt-winrun: Ctrl\+Break to \d+ failed: Invalid handle\. \(6\)/);
      expect(r.summary!.checks.filter((c) => c.verdict === 'fail')).toEqual([]);
      expect(await streamsOf(/hilt-engine-win/i)).toEqual([]);
    }, 120_000);

    // Wine's ping.exe ignores its stdin: when hilt (node.exe) dies, only its reaper (hilt-winproc
    // reaper, which held the launcher by a handle) can end it, and the launcher's job takes ping with it.
    test('hilt itself SIGKILLed mid-run under Windows: its reaper ends the target; nothing of the run is left', async () => {
      const ours = /^\d+ (ping\.exe|hilt-winrun|hilt-wasapi|hilt-winproc)/i;
      const left = () => wineProcessesOf(WINDOWS_NODE_PREFIX).filter((p) => ours.test(p));
      let killedAt = 0;
      const out = windowsPath(newOutDir('wn-kill'));
      const r = await runHiltUnderWindowsNode(['scenario', 'exit', '--target', 'fixtures/targets/win-ping.json', '--out', out], {
        env: rig.env,
        keepWineserver: true,
        deadlineMs: 90_000,
        whileRunning: async (pid) => {
          const up = await pollUntil(() => left().some((p) => /ping\.exe/i.test(p)) || undefined, { deadlineMs: 30_000, intervalMs: 100 });
          expect(up.ok, 'ping.exe never ran').toBe(true);
          killedAt = now();
          process.kill(pid, 'SIGKILL');
        },
      });
      expect(r.exitCode).toBeUndefined(); // killed
      const gone = await pollUntil(() => left().length === 0 || undefined, { deadlineMs: 5000, intervalMs: 50 });
      expect(gone.ok, `left ${Math.round(now() - killedAt)} ms after hilt died: ${left().join(', ')}`).toBe(true);
      expect(await streamsOf(/hilt-wasapi/i)).toEqual([]); // its victim and recorder went with their pipes
    }, 120_000);

    // hilt's launcher writes a minidump at the first fatal exception and stops debugging: the dump is
    // read by hilt (no cdb here) and kept; the engine's own crash filter still runs (a debugger kept
    // attached would skip it, and crash-handler-hangs would pass).
    test('crash with its dump: 0xC0000005 read from the dump and kept; the crash filter still runs (handler hang caught)', async () => {
      const ENGINE = 'fixtures/targets/win-engine.json';
      const r = await scenario(['crash', '--set', 'win_fault=av', '--target', ENGINE]);
      expect(r.summary?.verdict, r.said).toBe('pass');
      expect(r.summary!.facts?.dump).toMatch(/^written by hilt's launcher in \d+ ms \(not counted in the time to process gone\)$/);
      const dumps = readdirSync(r.out).filter((f) => /^hilt-engine-win\.exe\.\d+\.dmp$/.test(f));
      expect(dumps, readdirSync(r.out).join(', ')).toHaveLength(1);
      const core = readFileSync(join(r.out, 'core.txt'), 'utf8');
      expect(core).toMatch(/^hilt-engine-win\.exe\.\d+\.dmp \(\d+ KB\): not read, cdb is not installed/);
      const exception = /\nexception \(read by hilt from the dump\): 0xC0000005 STATUS_ACCESS_VIOLATION \(write at 0x0\) at /;
      expect(core).toMatch(new RegExp(exception.source + /hilt-engine-win\.exe\+0x[0-9A-F]+ on thread \d+\n/.source));
      const hang = await scenario(['crash', '--set', 'thread=audio', '--bug', 'crash-handler-hangs', '--target', ENGINE]);
      expect(hang.exitCode, hang.said).toBe(1);
      expect(hang.summary!.diagnosis).toMatch(/hung: nothing after \d+ ms/);
    }, 150_000);

    test("gc-teardown --bug free-while-running from the Windows side: the seed's 0xC0000005, named", async () => {
      const r = await scenario(['gc-teardown', '--bug', 'free-while-running']);
      expect(r.exitCode, r.said).toBe(1);
      expect(check(r.summary!, 'clean-exit')?.measured).toBe('STATUS_ACCESS_VIOLATION (0xC0000005)');
      expect(r.summary!.diagnosis).toMatch(
        /^engine#1(, engine#\d+)* freed while (its render thread was|their render threads were) still running, /,
      );
      expect(r.summary!.diagnosis).toContain('then the process crashed (access violation (0xC0000005, exit code 3221225477)): ');
      // pnpm report and pnpm gate under Windows's Node, on that run's results.
      const html = newOutDir('windows-node-report');
      const report = await runHiltUnderWindowsNode(['report', '--no-allure', '--out', windowsPath(html), windowsPath(r.out)], {
        keepWineserver: true,
      });
      expect(report.exitCode, report.stderr).toBe(0);
      expect(existsSync(join(html, 'index.html'))).toBe(true);
      const gate = await runHiltUnderWindowsNode(['gate', windowsPath(r.out)], { keepWineserver: true });
      expect(gate.exitCode, gate.stderr).toBe(1); // one Windows result meets none of the Linux policy's requirements
      expect(gate.stdout).toMatch(/\nrelease verdict: DO NOT SHIP \(/);
    }, 120_000);
  });
});
