// midi-orphans for any program: its MIDI ports (owned by its process tree, or named by its
// ready.midiPort, prefix or patterns) are connected to hilt's probe, it is SIGKILLed, and its
// ports must be gone from the server; then every black-box check (targets/black-box.ts) runs as well.
// It records what it saw of the ports; the black-box judge (harness/check/blackbox.ts) makes the checks.
import { namedLike, type LeftoverOwner } from '../../harness/inventory/leftovers.ts';
import type { MidiPort } from '../../harness/inventory/parse-server.ts';
import { openMidiProbe } from '../../harness/midi/open-probe.ts';
import type { ScenarioContext } from '../../harness/scenario/define.ts';
import { pollUntil } from '../../harness/wait.ts';
import { killFault } from './blackbox-faults.ts';
import { ownerOf, runBlackBox } from './targets/black-box.ts';

const itsPort = (p: MidiPort, owner: LeftoverOwner, readyPort: RegExp | undefined): boolean =>
  (p.ownerPid !== undefined && owner.pids.includes(p.ownerPid)) ||
  namedLike(p, owner.prefix, owner.patterns) ||
  (readyPort !== undefined && readyPort.test(p.name));

export async function runMidiBlackBox(ctx: ScenarioContext): Promise<void> {
  const { run, rig, target } = ctx;
  const goneLimit = ctx.params.number('gone_ms');
  const probe = await run.phase('MIDI probe', 8000, () => openMidiProbe(rig));
  ctx.defer(() => probe.destroy());
  run.fact('midi probe', probe.describe);
  const kill = killFault(ctx);

  await runBlackBox(ctx, {
    ...kill,
    inject: async (t, session) => {
      const owner = await ownerOf(ctx, t);
      const mine = (ports: MidiPort[]) => ports.filter((p) => itsPort(p, owner, target.ready.midiPort)).map((p) => p.name);
      const ports = await rig.midiPorts();
      const before = mine(ports);
      run.fact('its midi ports', before.join(', ') || 'none');
      const input = ports.find((p) => before.includes(p.name) && p.direction === 'in')?.name;
      const output = ports.find((p) => before.includes(p.name) && p.direction === 'out')?.name;
      // The probe holds a connection to it when it dies, as a sequencer or a controller would.
      if (input || output) await run.phase('probe connected to its ports', 5000, () => probe.connect(output ?? '-', input ?? '-'));

      const killed = await kill.inject(t, session);
      const gone = await run.phase('its MIDI ports gone', goneLimit + 3000, () =>
        pollUntil(async () => mine(await rig.midiPorts()).length === 0 || undefined, { deadlineMs: goneLimit, intervalMs: 20 }),
      );
      run.metric('ports_gone_ms', gone.ok ? gone.waitedMs : undefined);
      const left = gone.ok ? [] : mine(await rig.midiPorts());
      const listed = ports.map((p) => p.name);
      return { ...killed, midi: { before, listed, left, ...(gone.ok && { goneMs: gone.waitedMs }), limitMs: goneLimit } };
    },
  });
}
