// hilt's scenarios run by hilt itself under Windows's Node (node.exe under Wine, process.platform
// win32): the WASAPI rig, job objects and Windows's process facts, as on a Windows runner. The audio
// endpoints Windows sees are winepulse's, into a virtual rig this file starts on the Linux side, so
// what the Windows side concludes is checked against PipeWire's own view. Reports go to reports/out
// (Z:\ to Windows) and are read from here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import type { Summary } from '../harness/report/summary.ts';
import { VirtualRig } from '../harness/rig/virtual-rig.ts';
import { ROOT } from '../harness/target/config.ts';
import {
  hasWindowsNode,
  holdWindowsNode,
  runHiltUnderWindowsNode,
  stopWindowsNode,
  WINDOWS_NODE_PREFIX,
} from '../harness/target/windows-node.ts';
import { windowsPath, wineProcessesOf } from '../harness/target/wine.ts';
import { check, newOutDir } from './run-cli.ts';

const ready = hasWindowsNode();
let rig: VirtualRig;

// One scenario under Windows's Node, its summary read back.
async function scenario(args: string[]) {
  const out = newOutDir('windows-side');
  const r = await runHiltUnderWindowsNode(['scenario', ...args, '--out', windowsPath(out)], {
    env: rig.env,
    keepWineserver: true,
    deadlineMs: 120_000,
  });
  const file = join(out, 'summary.json');
  const summary = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Summary) : undefined;
  return { ...r, out, summary, said: `exit ${r.exitCode}\n${r.stdout}\n${r.stderr}` };
}

const title = "scenarios run by hilt under Windows's Node (Wine), on the WASAPI rig";
describe.skipIf(!ready)(ready ? title : `${title}: skipped, set-up did not provide Node for Windows (run: npm run setup)`, () => {
  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'harness/cli/bin.mjs'), 'build'], { cwd: ROOT, stdio: 'ignore' });
    rig = await VirtualRig.start();
    await holdWindowsNode();
  }, 60_000);
  afterAll(async () => {
    await stopWindowsNode();
    await rig?.stop();
    expect(wineProcessesOf(WINDOWS_NODE_PREFIX)).toEqual([]);
  });

  test("kill9 on Wine's own cmd.exe: TerminateProcess, its job ends it, nothing left, the victim heard", async () => {
    const r = await scenario(['kill9', '--target', 'fixtures/targets/win-cmd-console.json']);
    expect(r.summary?.verdict, r.said).toBe('pass');
    expect(check(r.summary!, 'exit')?.verdict).toBe('pass');
  });
});
