// The black-box sweep against a real virtual rig: a Pulse module and a lingering PipeWire node,
// made the way a program (or a helper it ran) would, found by a whole-server snapshot as
// leftovers, swept, and gone from the next snapshot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftovers } from '../inventory/leftovers.ts';
import { objectKey } from '../inventory/objects.ts';
import { takeServerSnapshot } from '../inventory/server.ts';
import type { Snapshot } from '../inventory/snapshot.ts';
import { runTool } from '../watchdog/tool.ts';
import { sweepLeftovers } from './sweep.ts';
import { VirtualRig } from './virtual-rig.ts';

const LINGER = '{ factory.name=support.null-audio-sink node.name=sweep-linger media.class=Audio/Sink object.linger=true }';

describe.runIf(process.platform === 'linux')('sweepLeftovers on a virtual rig', () => {
  let rig: VirtualRig;
  let baseline: Snapshot;

  beforeAll(async () => {
    // With its health check (a tone out and back) the rig's own capture is linked before the
    // baseline: a baseline taken sooner missed those links, and the sweep then removed them.
    rig = await VirtualRig.start();
    baseline = await takeServerSnapshot(rig.env);
  }, 15_000);

  afterAll(async () => {
    await rig?.stop();
  });

  it('unloads the module and destroys the lingering node, and says so', async () => {
    await rig.pactl(['load-module', 'module-null-sink', 'sink_name=app-4242', 'sink_properties=device.description=app-4242']);
    await runTool('pw-cli', ['create-node', 'adapter', LINGER], { env: rig.env });
    const after = await takeServerSnapshot(rig.env);
    const left = leftovers(baseline, after, { pids: [4242], prefix: 'app', patterns: [], privateServer: true });
    expect(left.map((o) => [o.kind, o.name, o.why])).toEqual(
      expect.arrayContaining([
        ['pulse-module', 'module-null-sink', 'name'],
        ['pulse-sink', 'app-4242', 'name'],
        ['pw-node', 'app-4242', 'name'],
        ['pulse-sink', 'sweep-linger', 'unattributed'],
        ['pw-node', 'sweep-linger', 'unattributed'],
      ]),
    );
    expect(left.find((o) => o.name === 'sweep-linger' && o.kind === 'pw-node')!.detail).toContain('object.linger=true');

    const removed = await sweepLeftovers(rig, rig.env, left);
    expect(removed).toEqual([
      expect.stringMatching(/^unloaded pulse module module-null-sink sink_name=app-4242 .*\(index \d+\)$/),
      expect.stringMatching(/^destroyed pw-node sweep-linger \(id \d+\)$/),
    ]);

    const swept = await takeServerSnapshot(rig.env);
    const now = new Set(swept.objects.map(objectKey));
    expect(left.filter((o) => o.kind !== 'pw-link' && o.kind !== 'pw-client' && now.has(objectKey(o)))).toEqual([]);
    expect(swept.objects.filter((o) => /app-4242|sweep-linger/.test(`${o.name} ${o.detail ?? ''}`))).toEqual([]);
    // The rig's own sink is untouched.
    expect(swept.objects.map((o) => `${o.kind}:${o.name}`)).toContain('pulse-sink:hilt-observed');
  });

  it('sweeping nothing, or what is already gone, removes nothing', async () => {
    expect(await sweepLeftovers(rig, rig.env, [])).toEqual([]);
    const gone = {
      kind: 'pw-node' as const,
      id: '9999',
      name: 'nope',
      ownerPid: undefined,
      ownerAlive: undefined,
      key: 'pw-node:9999:nope',
    };
    const mod = {
      kind: 'pulse-module' as const,
      id: '?',
      name: 'module-null-sink',
      ownerPid: undefined,
      ownerAlive: undefined,
      detail: 'sink_name=nope',
    };
    expect(await sweepLeftovers(rig, rig.env, [gone, mod])).toEqual([]);
  });
});
