// multi-app: FineTune's "multiple tapped apps" test (docs/postmortems.md#4). Three victims, each
// tapped by its own primary tap and given a secondary (crossfade) tap: six server objects. After
// a SIGKILL, all six must be gone and all three tones back, with no relaunch: the guardian's job.
import { expectation, withinLimit } from '../harness/check/check.ts';
import { backToBaseline, noObjectsOf } from '../harness/check/orphans.ts';
import { timelinePlot, wavAround } from '../harness/evidence/audio.ts';
import { diffSnapshots } from '../harness/inventory/snapshot.ts';
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { cleanupLayer, parseEngineLog } from '../harness/target/reference/engine-log.ts';
import { tapped } from './lib/reference-engine.ts';
import { now } from '../harness/wait.ts';
import { TargetSession } from './lib/target-session.ts';
import { faultDropout } from './lib/fault-flow.ts';

// Whole multiples of 100 Hz: with 10 ms analysis windows they do not leak into each other.
const VICTIMS = [
  { name: 'hilt-victim-1', hz: 500 },
  { name: 'hilt-victim-2', hz: 1100 },
  { name: 'hilt-victim-3', hz: 1700 },
];

defineScenario(SCENARIOS['multi-app'], async (ctx) => {
  const { run, rig, options } = ctx;
  const resumeLimit = ctx.params.number('resume_ms');
  const cap = rig.capture;
  const session = new TargetSession(ctx);
  for (const v of VICTIMS) cap.addTone(v.hz);

  const baseline = await run.phase('baseline inventory', 5000, () => session.snapshot());
  for (const v of VICTIMS) await session.victim(v.name, v.hz, 0.2);
  const engine = await session.launch('engine ready', { args: VICTIMS.flatMap((v) => ['--tap-app', v.name]) });
  await tapped(session, engine, VICTIMS);
  await session.command(engine, 'secondary', /secondary taps (ready|failed)/);

  const before = await run.phase('inventory before the kill', 5000, () => session.snapshot());
  const taps = [...new Set(before.objects.filter((o) => o.ownerPid === engine.pid && o.kind === 'pulse-module').map((o) => o.name))];
  run.check(
    expectation(
      'six-taps',
      'six taps on the server',
      taps.length === 6,
      taps.length,
      6,
      'taps',
      `taps of pid ${engine.pid}: ${taps.join(', ')}`,
    ),
  );

  const killAt = now();
  engine.child.signal('SIGKILL');
  const ended = await run.phase('engine dies', 3000, () => engine.child.exited);
  const exit = ended.exit;
  run.check(expectation('exit', 'exit is SIGKILL', exit.signal === 'SIGKILL', exit.name, 'SIGKILL', '', `engine exit: ${exit.name}`));

  // Every tone must come back; the slowest one is the app that waited longest.
  const resumes = await run.phase('all tones resume', resumeLimit + 2000, () =>
    Promise.all(
      VICTIMS.map(async (v) => {
        const drop = await faultDropout(cap, killAt, ended.endedAt, v.hz);
        const back = await cap.waitFor('present', {
          after: drop.ok ? drop.atMs! : killAt,
          minRunMs: 50,
          deadlineMs: resumeLimit,
          hz: v.hz,
        });
        return back.ok ? Math.max(0, back.atMs! - killAt) : undefined;
      }),
    ),
  );
  VICTIMS.forEach((v, i) =>
    run.check({
      ...withinLimit(
        'resumed',
        `${v.name} (${v.hz} Hz) resumed without a relaunch`,
        resumes[i],
        resumeLimit,
        'ms',
        'SIGKILL to tone present',
      ),
      subject: v.name,
    }),
  );
  const worst = resumes.every((r) => r !== undefined) ? Math.max(...(resumes as number[])) : undefined;
  run.metric('audio_resume_ms', worst);

  const after = await session.snapshotWhenGone('inventory after the kill', engine.pid);
  const orphanCheck = run.check(
    noObjectsOf('no-orphans', 'all six taps gone', after.objects, engine.pid, 'after SIGKILL, with no relaunch'),
  );
  const log = parseEngineLog(engine.child.outputTail(400));
  run.fact('cleaned_by', cleanupLayer(log));
  if (log.guardian) run.metric('guardian_ms', log.guardian.ms);

  const final = await session.finalSnapshot('final inventory');
  const finalDiff = diffSnapshots(baseline, final);
  run.check(backToBaseline('back-to-baseline', 'inventory back to baseline', finalDiff));

  await run.attach(
    'timeline',
    'svg',
    timelinePlot(
      cap,
      `multi-app: victims at ${VICTIMS.map((v) => v.hz).join(', ')} Hz (plot: ${cap.frequencyHz} Hz detector)`,
      [{ at: killAt, label: 'SIGKILL' }],
      killAt - 500,
      now(),
    ),
  );
  await run.attach('around-kill', 'wav', wavAround(cap, killAt, 300, 700));
  await run.attach('engine', 'log', engine.child.outputTail(400));
  await run.attach('inventory', 'json', JSON.stringify({ baseline, before, after, final }, null, 2));

  // Other failures keep the run's default diagnosis: the failed checks.
  if (orphanCheck.verdict === 'fail') {
    const left = [...new Set(after.objects.filter((o) => o.ownerPid === engine.pid && o.kind === 'pulse-module').map((o) => o.name))];
    run.diagnosis =
      `${left.length} of 6 taps of the SIGKILLed engine (pid ${engine.pid}) are still on the server and keep ` +
      `${
        VICTIMS.filter((_, i) => resumes[i] === undefined)
          .map((v) => v.name)
          .join(', ') || 'no victim'
      } muted: ` +
      `${
        log.guardian
          ? `the guardian ran but destroyed only ${log.guardian.destroyed} of ${log.guardian.tracked}`
          : 'no guardian cleaned up at the death (no-guardian)'
      }; ` +
      `only the next launch's sweep would remove them. Left: ${left.join(', ')}`;
  }
  await session.sweepLeftovers(finalDiff);
});
