// The steps every tapping scenario shares: a victim playing a tone, the engine started and
// proven to have tapped it, the inventory asked of the server, and everything stopped at the end.
import { expectation, withinLimit } from '../../harness/check/check.ts';
import { ToneSource } from '../../harness/audio/tone-source.ts';
import { takeSnapshot, type InventoryDiff, type Snapshot } from '../../harness/inventory/snapshot.ts';
import { sinkOfStream, sweepOrphanModules } from '../../harness/rig/streams.ts';
import type { ScenarioContext } from '../../harness/scenario/define.ts';
import { launchTarget, stopTarget, type LaunchOptions, type RunningTarget } from '../../harness/target/launch.ts';
import { now, pollUntil } from '../../harness/wait.ts';

export const VICTIM = 'hilt-victim';

export class EngineSession {
  readonly engines: RunningTarget[] = [];

  constructor(private readonly ctx: ScenarioContext) {
    ctx.defer(async () => {
      for (const e of this.engines) if (!e.child.done) await stopTarget(e);
    });
  }

  snapshot(): Promise<Snapshot> {
    return takeSnapshot(this.ctx.target.prefix, this.ctx.rig.env);
  }

  // The server's inventory once no object of `pid` is left, or after 2 s: the cleanup of a
  // death (guardian, crash guard) lands a moment after the death itself.
  async snapshotWhenGone(phase: string, pid: number): Promise<Snapshot> {
    return this.ctx.run.phase(phase, 8000, async () => {
      let snap: Snapshot | undefined;
      await pollUntil(async () => {
        snap = await this.snapshot();
        return !snap.objects.some((o) => o.ownerPid === pid) || undefined;
      }, { deadlineMs: 2000, intervalMs: 50 });
      return snap!;
    });
  }

  // hilt's own sweep after the checks, so a failed repetition cannot poison the next one; what
  // it removed is evidence.
  async sweepLeftovers(diff: InventoryDiff, evidence = 'hilt-sweep'): Promise<void> {
    if (!diff.orphans.length) return;
    const removed = await sweepOrphanModules(this.ctx.rig, diff.orphans);
    await this.ctx.run.attach(evidence, 'text', `after the checks hilt removed ${removed.length} orphan module(s) so the next repetition starts clean: ${removed.join(', ')}\n`);
  }

  // A victim app playing `hz` on the observed output, heard before anything else happens.
  async victim(name = VICTIM, hz = this.ctx.rig.capture.frequencyHz, amplitude = 0.3): Promise<ToneSource> {
    const { run, rig } = this.ctx;
    return run.phase(`victim ${name} playing`, 3000, async () => {
      const v = new ToneSource(name, rig.outputSink, rig.env, hz, amplitude);
      this.ctx.defer(() => v.stop());
      const heard = await rig.capture.waitFor('present', { after: now(), minRunMs: 50, deadlineMs: 2000, hz });
      run.check(withinLimit(`${name} heard before the engine starts`, heard.ok ? heard.waitedMs : undefined, 2000, 'ms', `${hz} Hz tone on the observed output`));
      return v;
    });
  }

  async launch(label: string, opts: LaunchOptions = {}): Promise<RunningTarget> {
    const { run, rig, target, options } = this.ctx;
    return run.phase(label, target.ready.deadlineMs + 1000, async () => {
      const e = await launchTarget(target, rig.env, options.bugs, opts);
      this.engines.push(e);
      run.metric('engine_ready_ms', e.readyMs);
      return e;
    });
  }

  // Proof that the fault will bite: the victim's stream sits in one of this engine's taps and
  // is heard through the engine's playback.
  async tapped(e: RunningTarget, victims: { name: string; hz: number }[] = [{ name: VICTIM, hz: this.ctx.rig.capture.frequencyHz }]): Promise<void> {
    const { run, rig, target, options } = this.ctx;
    const deadline = this.ctx.params.number('tap_ms');
    await run.phase('engine tapping', deadline + 3500 * victims.length, async () => {
      const mine = `${target.prefix}-${e.pid}`;
      for (const v of victims) {
        let sink: string | undefined;
        const moved = await pollUntil(async () => (sink = await sinkOfStream(rig, v.name)) !== undefined && (sink === mine || sink.startsWith(`${mine}-`)), { deadlineMs: deadline, intervalMs: 10 });
        run.check(expectation(`engine tapped ${v.name}`, moved.ok, sink ?? 'none', `${mine}[-…]`, 'sink',
          moved.ok ? `${v.name} moved into ${sink} after ${Math.round(moved.waitedMs)} ms` : `${v.name} never moved into a tap of pid ${e.pid} (it sits in ${sink ?? 'no sink'})`));
      }
      for (const v of victims) {
        // 50 ms steady: the engine's loop-back can drop a 10 ms window now and then under load.
        const through = await rig.capture.waitFor('present', { after: now(), minRunMs: 50, deadlineMs: 3000, hz: v.hz });
        run.check(expectation(`${v.name} heard through the engine`, through.ok, through.ok ? 'present' : 'absent', 'present', '',
          through.ok ? `the tapped ${v.name} is heard through the engine playback` : `${v.name} is tapped but silent: the engine does not play its tap back`));
      }
    });
  }

  // Sends a control line to the engine and waits for the line that answers it.
  async command(e: RunningTarget, line: string, answer: RegExp, deadlineMs = 3000): Promise<string> {
    return this.ctx.run.phase(`engine: ${line}`, deadlineMs, async () => {
      e.child.stdin?.write(line + '\n');
      return e.child.waitForLine(answer);
    });
  }
}
