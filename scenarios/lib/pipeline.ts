// Every fault scenario is the same sequence, run here once: baseline, launch (and what the target
// proves about itself), inject, observe, judge; then the evidence and hilt's own cleanup. A kind of
// target supplies its steps (scenarios/lib/targets/: one file per kind); the pipeline owns the
// order, the exit's fact and metric, the timeline, the observation on disk, the checks and the
// diagnosis, so no target can skip or reorder them.
import type { Judgement } from '../../harness/check/check.ts';
import type { Marker, PlotExtras } from '../../harness/evidence/audio.ts';
import type { ExitClass } from '../../harness/proc/exit.ts';
import type { ScenarioContext } from '../../harness/scenario/define.ts';
import type { RunningTarget } from '../../harness/target/launch.ts';
import { TargetSession } from './target-session.ts';

// How the fault ended the target: asked for at `at`, gone at `endedAt`; a hang the watchdog caught
// on the way is said in words (where each thread waited).
export interface Ended {
  exit: ExitClass;
  at: number;
  endedAt: number;
  hang?: string;
}

// What the timeline will show: the moments (fault, gone, resumed) and each deadline where it falls.
export class RunRecord {
  readonly markers: Marker[] = [];
  readonly deadlines: NonNullable<PlotExtras['deadlines']> = [];
  mark(at: number, label: string): void {
    this.markers.push({ at, label });
  }
  deadline(at: number, label: string, missed: boolean): void {
    this.deadlines.push({ at, label, missed });
  }
}

// One kind of target's part of a fault run. Steps keep their own state between calls (a closure);
// each is called once, in the order the fields are written.
export interface FaultSteps<O extends { kind: string }> {
  label: string; // the fault, as the timeline names it: "SIGKILL", "SIGSEGV on audio"
  title: string; // the timeline's title, after "<scenario> run <n>: "
  baseline(): Promise<void>; // what is on the server (and the victim) before the target
  launch(): Promise<RunningTarget>; // up, and what it proves about itself (a tap, a port)
  inject(t: RunningTarget): Promise<Ended>; // the fault, through to the process gone
  observe(t: RunningTarget, ended: Ended): Promise<O>; // everything after, recorded, not judged
  judge(o: O): Judgement; // pure: harness/check/
  evidence(t: RunningTarget, o: O): Promise<void>; // logs, inventory, audio, cores
  cleanUp(t: RunningTarget, o: O): Promise<void>; // what hilt removes after the checks, said
}

export type StepsFactory<O extends { kind: string }> = (ctx: ScenarioContext, session: TargetSession, rec: RunRecord) => FaultSteps<O>;

export async function runPipeline<O extends { kind: string }>(
  ctx: ScenarioContext,
  make: StepsFactory<O>,
): Promise<{ observation: O; judged: Judgement }> {
  const { run } = ctx;
  const session = new TargetSession(ctx);
  const rec = new RunRecord();
  const steps = make(ctx, session, rec);

  await steps.baseline();
  const t = await steps.launch();
  const ended = await steps.inject(t);
  rec.mark(ended.at, steps.label);
  run.fact('exit', `${ended.exit.name} (${ended.exit.description})`);
  run.metric('exit_ms', Math.max(0, ended.endedAt - ended.at)); // a program that ends by itself may end before it is watched
  rec.mark(ended.endedAt, `gone (${ended.exit.name})`);

  const observation = await steps.observe(t, ended);
  const judged = steps.judge(observation);
  for (const c of judged.checks) run.check(c);
  if (judged.diagnosis) run.diagnosis = judged.diagnosis;
  for (const [k, v] of Object.entries(judged.facts ?? {})) run.fact(k, v);

  await session.attachTimeline(`${ctx.options.scenario} run ${ctx.repetition}: ${steps.title}`, rec.markers, rec.deadlines, judged.checks);
  await steps.evidence(t, observation);
  await run.attach('observation', 'json', JSON.stringify(observation, null, 2));
  await steps.cleanUp(t, observation);
  return { observation, judged };
}
