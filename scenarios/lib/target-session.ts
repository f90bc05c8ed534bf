// The steps every scenario shares, whatever the target: a victim playing a tone, the target
// launched and stopped, the inventory asked of the rig (never of the target), and hilt's own sweep.
import { isHiltError } from '../../harness/errors.ts';
import { stopWineserver } from '../../harness/target/wine.ts';
import type { CheckResult } from '../../harness/check/check.ts';
import { victimHeardCheck } from '../../harness/check/proofs.ts';
import { timelinePlot, type Marker, type PlotExtras } from '../../harness/evidence/audio.ts';
import type { ToneSource } from '../../harness/audio/tone-source.ts';
import type { InventoryDiff, Snapshot } from '../../harness/inventory/snapshot.ts';
import { isUnsupported, platform } from '../../harness/platform/index.ts';
import type { ScenarioContext } from '../../harness/scenario/define.ts';
import { launchTarget, stopTarget, type LaunchOptions, type RunningTarget } from '../../harness/target/launch.ts';
import { noGroupReason } from '../../harness/target/contain.ts';
import { now, pollUntil } from '../../harness/wait.ts';

export const VICTIM = 'hilt-victim';

// How long a dead target's own objects may take to leave the server's listing.
const OWN_GONE_MS = 500;

export class TargetSession {
  readonly targets: RunningTarget[] = [];

  constructor(readonly ctx: ScenarioContext) {
    ctx.defer(async () => {
      // A stop the system cannot make (RIG_MISSING: the run said it already) still ended the target.
      for (const t of this.targets)
        if (!t.child.done) await stopTarget(t).catch((e) => (isHiltError(e, 'RIG_MISSING') ? undefined : Promise.reject(e)));
      await this.endGroups();
    });
  }

  // Whatever is still in a target's group once the repetition is over escaped it: ended at once
  // (cgroup.kill), said in the run's facts, and the group removed.
  private async endGroups(): Promise<void> {
    for (const t of this.targets) {
      if (!t.group) continue;
      const left = t.group.members();
      if (left.length) {
        const names = await Promise.all(left.map(async (pid) => `${(await platform.processName(pid)) ?? '?'}[${pid}]`));
        const r = await t.group.killAll(2000);
        this.ctx.run.fact(
          'ended with its group',
          `${names.join(', ')} still in ${t.spec.name}'s group after the run: ${r.ended ? 'ended' : 'NOT ended'} by cgroup.kill` +
            ` in ${Math.round(r.waitedMs)} ms`,
        );
      }
      t.group.remove();
    }
  }

  snapshot(): Promise<Snapshot> {
    return this.ctx.rig.inventory(this.ctx.target.prefix);
  }

  // What of a target's group is still running, named, once it ended (a second for its helpers to
  // go): where the rig cannot list its objects, the processes left stand in for them.
  async processesLeft(t: RunningTarget): Promise<string[]> {
    if (!t.group) return [];
    await pollUntil(() => t.group!.members().length === 0 || undefined, { deadlineMs: 1000, intervalMs: 50 });
    return Promise.all(t.group.members().map(async (pid) => `${(await platform.processName(pid)) ?? '?'}[${pid}]`));
  }

  // The inventory once no object of `pid` is left, or 2 s after its death (`diedAt`): the cleanup
  // of a death (a guardian, a crash guard, the server dropping a client) lands a moment after it.
  // A run that already waited that long (for a tone that never came back) asks once.
  async snapshotWhenGone(phase: string, pid: number, diedAt = now()): Promise<Snapshot> {
    return this.ctx.run.phase(phase, 8000, async () => {
      let snap: Snapshot | undefined;
      await pollUntil(
        async () => {
          snap = await this.snapshot();
          return !snap.objects.some((o) => o.ownerPid === pid) || undefined;
        },
        { deadlineMs: Math.max(0, 2000 - (now() - diedAt)), intervalMs: 50 },
      );
      return snap!;
    });
  }

  // The inventory that judges the end of a repetition, taken once every target this session
  // launched has ended: an inventory read while a stop is still under way sees its process.
  // The server drops a dead client's objects when it sees its socket close, a moment after the exit
  // (a SoX node was still listed once under load): up to OWN_GONE_MS for the targets' own to go.
  // What stays past it (a lingering node, a module) is in the snapshot, judged as left.
  async finalSnapshot(phase: string): Promise<Snapshot> {
    return this.ctx.run.phase(phase, 8000, async () => {
      await Promise.all(this.targets.map((t) => t.child.exited));
      const pids = new Set(this.targets.map((t) => t.pid));
      let last: Snapshot | undefined;
      await pollUntil(
        async () => {
          last = await this.snapshot();
          return last.objects.every((o) => o.ownerPid === undefined || !pids.has(o.ownerPid)) || undefined;
        },
        { deadlineMs: OWN_GONE_MS, intervalMs: 20 },
      );
      return last!;
    });
  }

  // hilt's own sweep after the checks, so a failed repetition cannot poison the next one; what
  // it removed is evidence.
  async sweepLeftovers(diff: InventoryDiff, evidence = 'hilt-sweep'): Promise<void> {
    if (!diff.orphans.length) return;
    const removed = await this.ctx.rig.removeLeftovers(diff.orphans);
    await this.ctx.run.attach(
      evidence,
      'text',
      `after the checks hilt removed what was left so the next repetition starts clean:\n${removed.join('\n')}\n`,
    );
  }

  // The repetition's picture (timeline.svg): the victim's tone over every phase of the run, its
  // events and deadlines, and the verdict of the checks the judge made.
  async attachTimeline(title: string, markers: Marker[], deadlines: PlotExtras['deadlines'], checks: CheckResult[]): Promise<void> {
    const { run, rig } = this.ctx;
    const failed = [...new Set(checks.filter((c) => c.verdict !== 'pass').map((c) => c.id))];
    const from = Math.min(run.spans[0]?.from ?? Infinity, ...markers.map((m) => m.at)) - 100;
    const verdict = { pass: !failed.length, said: failed.length ? `FAIL (${failed.join(', ')})` : 'PASS' };
    const svg = timelinePlot(rig.capture, title, [...run.events, ...markers], from, now(), { phases: run.spans, deadlines, verdict });
    await run.attach('timeline', 'svg', svg);
  }

  // A victim app playing `hz` on the observed output, heard before the target starts.
  async victim(name = VICTIM, hz = this.ctx.rig.capture.frequencyHz, amplitude = 0.3): Promise<ToneSource> {
    const { run, rig } = this.ctx;
    return run.phase(`victim ${name} playing`, 3000, async () => {
      const v = rig.playTone(name, hz, amplitude);
      this.ctx.defer(() => v.stop());
      const heard = await rig.capture.waitFor('present', { after: now(), minRunMs: 50, deadlineMs: 2000, hz });
      run.check(victimHeardCheck({ name, hz, ...(heard.ok && { heardMs: heard.waitedMs }), limitMs: 2000 }));
      return v;
    });
  }

  async launch(label: string, opts: LaunchOptions = {}): Promise<RunningTarget> {
    const { run, rig, target, options } = this.ctx;
    return run.phase(label, target.ready.deadlineMs + 1000, async () => {
      // A scenario that gives its own environment (a MIDI server of its choosing) owns it whole.
      const env = opts.env ? rig.env : rig.targetEnv;
      const t = await launchTarget(target, env, options.bugs, {
        probes: {
          hasStreamOf: (pids) => rig.hasStreamOf(pids),
          midiPortNames: async () => (await rig.midiPorts()).map((p) => p.name),
          soundAfter: async (at, ms) => (await rig.capture.waitFor('other', { after: at, minRunMs: 50, deadlineMs: ms })).ok,
          descendants: (pid) => platform.descendants(pid),
        },
        ...opts,
      });
      this.targets.push(t);
      const why = t.group ? undefined : noGroupReason(target);
      const c = platform.containment();
      const kind = c.ok && c.kind === 'job' ? 'a job object of its own (ended with it: whatever it starts that does not break away)' : '';
      run.fact('containment', why ? `none: ${why}` : kind || 'a cgroup v2 group of its own (found and ended: whatever it starts)');
      // Under Wine: the prefix's wineserver ends with the repetition, never left running.
      if (target.wine && process.platform !== 'win32') this.ctx.defer(() => stopWineserver());
      run.metric('target_ready_ms', t.readyMs);
      run.metric('engine_ready_ms', t.readyMs); // the name before targets were generic: kept for summary.json readers
      return t;
    });
  }

  // Sends a control line to the target and waits for the line that answers it.
  async command(t: RunningTarget, line: string, answer: RegExp, deadlineMs = 3000): Promise<string> {
    return this.ctx.run.phase(`${this.ctx.target.name}: ${line}`, deadlineMs, async () => {
      t.child.stdin?.write(line + '\n');
      return t.child.waitForLine(answer);
    });
  }
}

// The server's objects, or why they cannot be listed (WASAPI without IAudioSessionManager2, as under
// Wine): the judges then read orphans by process, since an audio session ends with its process.
export async function listedOrWhy(inventory: Promise<Snapshot>): Promise<Snapshot | { why: string }> {
  try {
    return await inventory;
  } catch (e) {
    if (!isUnsupported(e)) throw e;
    return { why: e.message.split('\n')[0]! }; // the sentence, not its expected/seen lines
  }
}
