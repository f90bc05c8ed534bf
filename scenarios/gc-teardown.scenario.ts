// gc-teardown: numchuck's crash (docs/postmortems.md#1). A Node process creates and starts many
// engines with audio flowing, drops them and lets the garbage collector end them. Each must be
// stopped, its threads joined and its tap destroyed before it is freed; the process must exit
// cleanly with its thread count back where it started and nothing left on the audio server.
// Not the fault pipeline (lib/pipeline.ts): the fault is the garbage collector inside the program, counted per engine.
import { crashSignatures, sanitizerWhere } from '../harness/check/crash-signature.ts';
import { gcCrashed, judgeGcTeardown, type GcObservation } from '../harness/check/gc-teardown.ts';
import { diffSnapshots } from '../harness/inventory/snapshot.ts';
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { parseLifecycle } from '../harness/target/reference/lifecycle.ts';
import { endOf, watch, watchBudget } from '../harness/watchdog/watchdog.ts';
import { now } from '../harness/wait.ts';
import { listedOrWhy, TargetSession } from './lib/target-session.ts';

defineScenario(SCENARIOS['gc-teardown'], async (ctx) => {
  const { run, rig, options } = ctx;
  const count = ctx.params.number('count');
  const batch = ctx.params.number('batch');
  const session = new TargetSession(ctx);

  const baseline = await run.phase('baseline inventory', 5000, () => listedOrWhy(session.snapshot()));
  await session.victim();
  const program = await session.launch('program ready', { args: ['--count', String(count), '--batch', String(batch)], tailLines: 50_000 });
  const deadline = 10_000 + count * 300;
  const watched = await run.phase(`program creates and collects ${count} engines`, watchBudget(deadline), () =>
    watch(program.child, program.child.exited, { what: 'gc-churn program', softMs: deadline }),
  );
  const ended = endOf(watched, program.child);
  const text = program.child.outputTail(100_000);
  await run.attach('program', 'log', text);

  const { exit } = ended;
  const signatures = crashSignatures(text);
  run.fact('exit', `${exit.name} (${exit.description})`);
  const done = /done cycles=(\d+) ms=([\d.]+)/.exec(text);
  if (done) run.metric('cycles_per_s', Math.round((Number(done[1]) / Number(done[2])) * 1000 * 10) / 10);
  const threads = (what: string): number | undefined => {
    const m = new RegExp(`threads ${what}=(\\d+)`).exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const resumed = await rig.capture.waitFor('present', { after: now(), minRunMs: 50, deadlineMs: 1000 });
  // Where the rig cannot list its objects (WASAPI under Wine), what of the program is still running stands in.
  const listed = 'why' in baseline ? undefined : baseline;
  const final = listed && (await session.snapshotWhenGone('final inventory', program.pid));
  const diff = listed && final ? diffSnapshots(listed, final) : undefined;
  const unlisted = 'why' in baseline ? { why: baseline.why, processesLeft: await session.processesLeft(program) } : undefined;

  const sanitizerAt = sanitizerWhere(text);
  const observation: GcObservation = {
    kind: 'gc-teardown',
    target: { name: ctx.target.name, pid: program.pid, wine: ctx.target.wine },
    bugs: options.bugs,
    count,
    teardownLimitMs: ctx.params.number('teardown_ms'),
    exit,
    signatures,
    ...(sanitizerAt && { sanitizerAt }),
    lives: [...parseLifecycle(text)],
    threads: { baseline: threads('baseline'), end: threads('end') },
    victimBack: resumed.ok,
    notBaseline: diff?.added ?? [],
    ...(unlisted && { unlisted }),
  };
  const judged = judgeGcTeardown(observation);
  for (const c of judged.checks) run.check(c);
  const crashed = gcCrashed(observation);
  const crashedRuns = run.tally('crashed_runs', crashed ? 1 : 0);
  if (crashed) run.fact('crashes', exit.crash ? exit.name : signatures[0]!);
  const p99 = judged.checks.find((c) => c.id === 'teardown-deadline')?.measured;
  run.metric('teardown_p99_ms', typeof p99 === 'number' ? p99 : undefined);
  await run.attach('observation', 'json', JSON.stringify(observation, null, 2));
  // A repeated run counts its crashes first: the whole run is said in one line.
  if (judged.diagnosis) {
    if (options.repeat > 1)
      run.diagnoseWholeRun(`${crashedRuns} of ${run.repetition} runs crashed (${run.facts.crashes ?? 'none'}). ${judged.diagnosis}`);
    else run.diagnosis = judged.diagnosis;
  }
  if (diff) await session.sweepLeftovers(diff);
});
