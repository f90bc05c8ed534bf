// kill9: FineTune's postmortem (shared/seeds/003_*). An audio app is kill -9'd while it has
// another app's audio tapped and muted; the server keeps its tap, the victim stays silent until
// the app's next launch sweeps the orphan. Proves: audio resumes, no orphans, clean stop.
import { expectation, withinLimit } from '../harness/check/check.ts';
import { backToBaseline, noObjectsOf, orphansPresent } from '../harness/check/orphans.ts';
import { timelinePlot, wavAround, type Marker } from '../harness/evidence/audio.ts';
import { diffSnapshots, takeSnapshot } from '../harness/inventory/snapshot.ts';
import { sinkOfStream, sweepOrphanModules } from '../harness/rig/streams.ts';
import { ToneSource } from '../harness/audio/tone-source.ts';
import { numberParam } from '../harness/scenario/options.ts';
import { defineScenario } from '../harness/scenario/define.ts';
import { classifyExit } from '../harness/target/exit.ts';
import { launchTarget, stopTarget, type RunningTarget } from '../harness/target/launch.ts';
import { now, pollUntil } from '../harness/wait.ts';

const VICTIM = 'hilt-victim';

defineScenario(
  'kill9',
  'SIGKILL the engine while it taps a victim; relaunch; the sweep must remove the orphan tap and the victim must be heard again.',
  async ({ run, rig, target, options, defer }) => {
    const resumeLimit = numberParam(options, 'resume_ms', 1000);
    const tappedDeadline = numberParam(options, 'tap_ms', 2000);
    const cap = rig.capture;
    const markers: Marker[] = [];
    const engines: RunningTarget[] = [];
    defer(async () => {
      for (const e of engines) if (!e.child.done) await stopTarget(e);
    });

    const baseline = await run.phase('baseline inventory', 5000, () => takeSnapshot(target.prefix, rig.env));

    const victim = await run.phase('victim playing', 3000, async () => {
      const v = new ToneSource(VICTIM, rig.outputSink, rig.env);
      defer(() => v.stop());
      const heard = await cap.waitFor('present', { after: now(), minRunMs: 50, deadlineMs: 2000 });
      run.check(withinLimit('victim heard before the engine starts', heard.ok ? heard.waitedMs : undefined, 2000, 'ms', 'victim tone on the observed output'));
      return v;
    });

    const first = await run.phase('engine ready and tapping', target.ready.deadlineMs + tappedDeadline + 1000, async () => {
      const e = await launchTarget(target, rig.env, options.bugs);
      engines.push(e);
      run.metric('engine_ready_ms', e.readyMs);
      const tap = `${target.prefix}-${e.pid}`;
      let victimSink: string | undefined;
      const tapped = await pollUntil(async () => (victimSink = await sinkOfStream(rig, VICTIM)) === tap, { deadlineMs: tappedDeadline, intervalMs: 10 });
      run.check(expectation('engine tapped the victim', tapped.ok, victimSink ?? 'none', tap, 'sink',
        tapped.ok ? `victim stream moved into ${tap} after ${Math.round(tapped.waitedMs)} ms` : `victim stream never moved into ${tap}`));
      const through = await cap.waitFor('present', { after: now(), minRunMs: 100, deadlineMs: 2000 });
      run.check(expectation('tone present through the engine', through.ok, through.ok ? 'present' : 'absent', 'present', '',
        through.ok ? 'the tapped victim is heard through the engine playback' : 'the victim is tapped but silent: the engine does not play its tap back'));
      return e;
    });

    // The fault: SIGKILL, uncatchable. Then observe the damage (proof that the fault bit).
    const killAt = now();
    markers.push({ at: killAt, label: 'SIGKILL' });
    first.child.signal('SIGKILL');
    const killed = await run.phase('engine dies', 3000, () => first.child.exited);
    const exit = classifyExit(killed);
    run.check(expectation('exit classified as SIGKILL', exit.signal === 'SIGKILL', exit.name, 'SIGKILL', '', `engine exit: ${exit.name} (${exit.description})`));

    const silent = await run.phase('damage observed', 3000, () => cap.waitFor('absent', { after: killAt, minRunMs: 200, deadlineMs: 2000 }));
    run.check(expectation('tone absent after SIGKILL', silent.ok, silent.ok ? 'absent' : 'present', 'absent', '',
      silent.ok ? `victim silent ${Math.round((silent.atMs ?? killAt) - killAt)} ms after the kill: muted by the orphan tap` : 'the victim was never silenced: the fault did not bite'));
    const afterKill = await run.phase('orphan inventory', 5000, () => takeSnapshot(target.prefix, rig.env));
    run.check(orphansPresent('orphan present after SIGKILL', diffSnapshots(baseline, afterKill), first.pid));

    // Relaunch: the new engine's start-up sweep must destroy the orphan.
    const relaunchAt = now();
    markers.push({ at: relaunchAt, label: 'relaunch' });
    const second = await run.phase('relaunch ready', target.ready.deadlineMs + 1000, async () => {
      const e = await launchTarget(target, rig.env, options.bugs);
      engines.push(e);
      return e;
    });
    const resumed = await run.phase('audio resumes', resumeLimit + 1000, () =>
      cap.waitFor('present', { after: relaunchAt, minRunMs: 50, deadlineMs: resumeLimit }));
    const resumeMs = resumed.ok ? resumed.atMs! - relaunchAt : undefined;
    const silenceStart = silent.atMs ?? killAt;
    const silenceMs = (resumed.ok ? resumed.atMs! : now()) - silenceStart;
    run.metric('audio_resume_ms', resumeMs);
    run.metric('silence_ms', silenceMs);
    run.check(withinLimit('tone resumed after relaunch', resumeMs, resumeLimit, 'ms', 'relaunch to victim tone present'));
    if (resumed.ok) markers.push({ at: resumed.atMs!, label: 'resumed' });

    const afterRelaunch = await run.phase('post-relaunch inventory', 5000, () => takeSnapshot(target.prefix, rig.env));
    const orphanCheck = run.check(noObjectsOf('orphan gone after relaunch', afterRelaunch.objects, first.pid, 'after the relaunch'));

    const stopAt = now();
    markers.push({ at: stopAt, label: 'stop' });
    const stopped = await run.phase('clean stop', target.stop.deadlineMs + 1000, () => stopTarget(second));
    const stopExit = classifyExit(stopped);
    run.metric('stop_ms', stopped.stopMs);
    run.check(expectation('clean stop', stopExit.kind === 'clean' && !stopped.escalated, stopExit.name, 'exit 0', '',
      stopped.escalated ? `engine ignored ${target.stop.signal} for ${target.stop.deadlineMs} ms and was SIGKILLed` : `engine exit after stop: ${stopExit.name} (${stopExit.description})`));
    run.check(withinLimit('stop within deadline', stopped.stopMs, target.stop.deadlineMs, 'ms', `${target.stop.signal} to process gone`));

    await victim.stop();
    const final = await run.phase('final inventory', 5000, () => takeSnapshot(target.prefix, rig.env));
    const finalDiff = diffSnapshots(baseline, final);
    run.check(backToBaseline('inventory back to baseline', finalDiff));

    // Evidence: hear and see the kill and the relaunch.
    await run.attach('timeline', 'svg', timelinePlot(cap, `kill9: victim ${cap.frequencyHz} Hz on ${rig.outputSink}`, markers, killAt - 500, now()));
    await run.attach('around-kill', 'wav', wavAround(cap, killAt, 300, 700));
    await run.attach('around-relaunch', 'wav', wavAround(cap, relaunchAt, 300, 1000));
    await run.attach('around-stop', 'wav', wavAround(cap, stopAt, 300, 300));
    await run.attach('engine-first', 'log', first.child.outputTail(200));
    await run.attach('engine-relaunched', 'log', second.child.outputTail(200));
    await run.attach('inventory', 'json', JSON.stringify({ baseline, afterKill, afterRelaunch, final }, null, 2));

    if (orphanCheck.verdict === 'fail' || !resumed.ok) {
      const orphans = afterRelaunch.objects.filter((o) => o.ownerPid === first.pid).map((o) => o.name);
      run.diagnosis =
        `orphan tap ${[...new Set(orphans)].join(', ') || '(none)'} of the SIGKILLed engine (pid ${first.pid}, dead) survived the relaunch ` +
        `and kept the victim silent for ${resumed.ok ? '' : 'at least '}${Math.round(silenceMs)} ms` +
        (resumed.ok ? '' : ' (still silent when hilt stopped listening)') +
        (orphanCheck.verdict === 'fail' ? ': the relaunched engine did not sweep orphans at start-up (see engine-relaunched.log)' : '');
    }
    // hilt's own sweep, after the checks, so a failed repetition cannot poison the next one.
    if (finalDiff.orphans.length) {
      const removed = await sweepOrphanModules(rig, finalDiff.orphans);
      await run.attach('hilt-sweep', 'text', `after the checks hilt removed ${removed.length} orphan module(s) so the next repetition starts clean: ${removed.join(', ')}\n`);
    }
  },
);
