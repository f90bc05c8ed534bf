// gc-teardown: numchuck's crash (docs/postmortems.md#1). A Node process creates and starts many
// engines with audio flowing, drops them and lets the garbage collector end them. Each must be
// stopped, its threads joined and its tap destroyed before it is freed; the process must exit
// cleanly with its thread count back where it started and nothing left on the audio server.
// Not the fault flow: the fault is the garbage collector inside the program, counted per engine.
import { expectation, withinLimit } from '../harness/check/check.ts';
import { crashSignatures, sanitizerWhere } from '../harness/check/crash-signature.ts';
import { windowsExitText } from '../harness/proc/exit.ts';
import { backToBaseline } from '../harness/check/orphans.ts';
import { diffSnapshots } from '../harness/inventory/snapshot.ts';
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { orderViolations, parseLifecycle, teardownMs } from '../harness/target/reference/lifecycle.ts';
import { endOf, watch, watchBudget } from '../harness/watchdog/watchdog.ts';
import { now } from '../harness/wait.ts';
import { TargetSession } from './lib/target-session.ts';

defineScenario(SCENARIOS['gc-teardown'], async (ctx) => {
  const { run, rig, options } = ctx;
  const count = ctx.params.number('count');
  const batch = ctx.params.number('batch');
  const teardownLimit = ctx.params.number('teardown_ms');
  const session = new TargetSession(ctx);

  const baseline = await run.phase('baseline inventory', 5000, () => session.snapshot());
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
  const crashed = exit.crash || exit.kind === 'signal' || signatures.length > 0;
  const crashedRuns = run.tally('crashed_runs', crashed ? 1 : 0);
  if (crashed) run.fact('crashes', exit.crash ? exit.name : signatures[0]!);
  run.fact('exit', `${exit.name} (${exit.description})`);
  run.check(
    expectation(
      'clean-exit',
      'clean exit',
      exit.kind === 'clean',
      exit.name,
      'exit 0',
      '',
      `program exit: ${exit.name} (${exit.description})`,
    ),
  );
  const seen = [exit.crash ? exit.name : '', ...signatures].filter(Boolean);
  run.check(
    expectation(
      'no-crash-signature',
      'no crash signature',
      seen.length === 0,
      seen.length,
      0,
      'signatures',
      seen.length ? `seen: ${seen.join('; ')}` : 'no signal, sanitizer report or fatal runtime error',
    ),
  );

  const lives = parseLifecycle(text);
  const violations = [...lives].flatMap(([id, ev]) => orderViolations(id, ev));
  run.check(
    expectation(
      'stopped-before-freed',
      'every engine stopped and joined before it was freed',
      violations.length === 0 && lives.size >= count,
      violations.length,
      0,
      'violations',
      violations.length
        ? violations.slice(0, 5).join('; ') + (violations.length > 5 ? `; and ${violations.length - 5} more` : '')
        : `${lives.size} engines: stop requested, threads joined, tap destroyed, then freed`,
    ),
  );
  const teardowns = [...lives.values()]
    .map(teardownMs)
    .filter((x): x is number => x !== undefined)
    .sort((a, b) => a - b);
  const p99 = teardowns.length ? teardowns[Math.min(teardowns.length - 1, Math.floor(teardowns.length * 0.99))] : undefined;
  run.metric('teardown_p99_ms', p99);
  run.check(
    withinLimit('teardown-deadline', 'teardown per engine within its deadline (p99)', p99, teardownLimit, 'ms', 'stop requested to freed'),
  );

  const done = /done cycles=(\d+) ms=([\d.]+)/.exec(text);
  if (done) run.metric('cycles_per_s', Math.round((Number(done[1]) / Number(done[2])) * 1000 * 10) / 10);
  const base = /threads baseline=(\d+)/.exec(text);
  const end = /threads end=(\d+)/.exec(text);
  run.check(
    expectation(
      'threads-at-baseline',
      'thread count back to baseline',
      !!base && !!end && end[1] === base[1],
      end?.[1] ?? 'not reported',
      base?.[1] ?? '?',
      'threads',
      end
        ? `threads ${base?.[1]} before the first engine, ${end[1]} after the last was collected`
        : 'the program never reported its final thread count (it did not get that far)',
    ),
  );

  const resumed = await rig.capture.waitFor('present', { after: now(), minRunMs: 50, deadlineMs: 1000 });
  run.check(
    expectation(
      'victim-resumed',
      'victim heard after the program',
      resumed.ok,
      resumed.ok ? 'present' : 'absent',
      'present',
      '',
      resumed.ok ? 'the victim plays on the output again' : 'the victim is still silent: a tap is left',
    ),
  );
  const final = await session.snapshotWhenGone('final inventory', program.pid);
  const diff = diffSnapshots(baseline, final);
  run.check(backToBaseline('no-orphans', 'no orphans', diff));

  // Other failures keep the run's default diagnosis (the failed checks), after the crash tally.
  if (run.checks.some((c) => c.verdict !== 'pass')) {
    const ids = (pred: (names: string[]) => boolean) =>
      [...lives].filter(([, ev]) => pred(ev.map((e) => e.event))).map(([id]) => `engine#${id}`);
    const running = ids((n) => n.includes('freed-while-running'));
    // Released (the Windows engine's COM objects) while the render thread had not been joined.
    const releasedLive = ids((n) => n.includes('tap-destroyed') && !n.slice(0, n.indexOf('tap-destroyed')).includes('threads-joined'));
    const where = sanitizerWhere(text);
    const thread = ctx.target.wine ? 'render thread' : 'VM thread';
    const bug = options.bugs.length ? ` (${options.bugs.join(',')})` : '';
    const how = crashed
      ? `crashed (${[
          windowsExitText(exit) ?? seen.join('; '),
          where ? `in ${where}` : '',
          exit.signal === 'SIGSEGV' ? 'a shell shows exit 139, Windows 0xC0000005 access violation' : '',
        ]
          .filter(Boolean)
          .join('; ')})`
      : 'went on with a thread writing into freed memory';
    const many = (list: string[]) => (list.length > 1 ? `their ${thread}s were` : `its ${thread} was`);
    const said = running.length
      ? `${running.join(', ')} freed while ${many(running)} still running, then the process ${how}: ` +
        `the finalizer frees the engine without stopping and joining its threads first${bug}`
      : releasedLive.length && crashed
        ? `${releasedLive.join(', ')} released ${releasedLive.length > 1 ? 'their' : 'its'} audio client while ${many(releasedLive)} ` +
          `still running, then the process ${how}: the finalizer releases the engine without stopping it first${bug}`
        : run.failedChecks();
    if (options.repeat > 1)
      run.diagnoseWholeRun(`${crashedRuns} of ${run.repetition} runs crashed (${run.facts.crashes ?? 'none'}). ${said}`);
    else run.diagnosis = said;
  }
  await session.sweepLeftovers(diff);
});
