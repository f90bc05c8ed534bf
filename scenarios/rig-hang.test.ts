// hilt's own steps under the watchdog, on the real rig: with the audio server frozen (SIGSTOP)
// an inventory is a failed step with a message and stacks, and the rig still stops, leaving
// nothing behind.
import { describe, expect, test } from 'vitest';
import { isHiltError } from '../harness/errors.ts';
import { processState, takeSnapshot } from '../harness/inventory/snapshot.ts';
import { VirtualRig } from '../harness/rig/virtual-rig.ts';
import { takeHangs } from '../harness/watchdog/hangs.ts';

describe('a wedged rig', () => {
  test('a frozen pipewire-pulse: the inventory fails with DEADLINE naming the tool and where it waits; the rig stops anyway', async () => {
    const rig = await VirtualRig.start({ healthCheck: false });
    const pids = ['pipewire', 'wireplumber', 'pipewire-pulse'].map((n) => rig.daemonPid(n)!);
    let stopped = false;
    try {
      process.kill(rig.daemonPid('pipewire-pulse')!, 'SIGSTOP');
      const err = await takeSnapshot('hilt-engine', rig.env).catch((e: unknown) => e);
      expect(isHiltError(err, 'DEADLINE'), String(err)).toBe(true);
      // pw-dump asks the frozen daemon too (the recorder's stream node lives in it): whichever of the
      // two asked at once reaches its deadline first is named.
      expect((err as Error).message).toMatch(
        /^(pactl did not answer: `pactl -f json list`|pw-dump did not answer: `pw-dump --no-colors`) hung/,
      );
      expect((err as Error).message).toMatch(/nothing after 5000 ms; main thread in poll/);
      const hangs = takeHangs();
      expect(hangs.length).toBeGreaterThanOrEqual(1);
      expect(hangs[0]!.endedBy).toMatch(/SIGTERM|SIGKILL/);
    } finally {
      await rig.stop();
      stopped = true;
    }
    expect(stopped).toBe(true);
    for (const pid of pids) expect(await processState(pid)).toBe('gone');
  });

  test("a frozen pipewire-pulse: the rig's hilt-inventory snapshot fails with DEADLINE naming it; the rig notes the tools", async () => {
    const rig = await VirtualRig.start({ healthCheck: false });
    try {
      process.kill(rig.daemonPid('pipewire-pulse')!, 'SIGSTOP');
      const err = await rig.serverInventory().catch((e: unknown) => e);
      expect(isHiltError(err, 'DEADLINE'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(/^hilt-inventory did not answer: `snapshot` hung/);
      expect(takeHangs().map((h) => h.what)).toContain("hilt's own step `hilt-inventory snapshot`");
      // Thawed: the next snapshot is the tools' (the helper is not asked again), at once.
      process.kill(rig.daemonPid('pipewire-pulse')!, 'SIGCONT');
      await rig.serverInventory();
      expect(rig.notes).toEqual([expect.stringMatching(/^hilt-inventory stopped answering \(no answer within 5000 ms\)/)]);
    } finally {
      await rig.stop();
    }
  });
});
