// hilt's own CLI under Windows's Node (node.exe 22 from npm, under Wine, process.platform win32):
// the catalogue, a scenario's help and a usage error, as on Linux. The first step of "hilt itself runs
// on Windows" (docs/windows.md). The compiled cache is brought up to date by the Linux build first:
// a stale one would be recompiled by tsc under Windows's Node (it works, about 17 s).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  hasWindowsNode,
  holdWindowsNode,
  runHiltUnderWindowsNode,
  stopWindowsNode,
  WINDOWS_NODE_PREFIX,
} from '../harness/target/windows-node.ts';
import { wineProcessesOf } from '../harness/target/wine.ts';
import { ROOT } from '../harness/target/config.ts';

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
  });
});
