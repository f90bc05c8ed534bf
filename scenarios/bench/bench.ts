// `pnpm bench`: the figures the issues name, measured and printed, never asserted (these
// machines are shared and noisy). What a call costs (wall, CPU, memory), rig start, kill9 wall time by phase, silence after each fault
// by defence layer, resume-time error, the addon's GC churn and teardown, ends with live engines, kernel stop
// latency and the watchdog's soft deadline to stacks, MIDI start-up, GUI stall and round-trip.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { ToneSource } from '../../harness/audio/tone-source.ts';
import { sine } from '../../harness/audio/signals.ts';
import { detectTone } from '../../harness/audio/tone.ts';
import { firstSteadyAbsence, firstSteadyPresence, windowAt, windowStartMs } from '../../harness/audio/timeline.ts';
import { reaper } from '../../harness/cleanup/reaper.ts';
import type { Summary } from '../../harness/report/summary.ts';
import { OBSERVED_SINK, VirtualRig } from '../../harness/rig/virtual-rig.ts';
import { ROOT } from '../../harness/target/config.ts';
import { now } from '../../harness/wait.ts';
import { hiltArgv, newResultsDir } from '../../harness/cli/invoke.ts';
import { endingFigures, gcTeardownFigures } from './addon.ts';
import { costFigures, inventoryFigures, suiteFigures } from './cost.ts';
import { kernelFigures } from './kernel.ts';
import { midiFigures } from './midi.ts';
import { windowsFigures } from './windows.ts';
import { gateBench } from '../../harness/gate/bench.ts';
import { BENCH_RESULTS, reportBench } from '../../harness/report/html/bench.ts';
import { ms, quantile, say, stats } from '../../harness/report/figures.ts';
import { runCommand } from '../../harness/cli/entry.ts';
import { HiltError } from '../../harness/errors.ts';

const ENGINE = join(ROOT, 'native/build/Release/hilt-engine');
const q = quantile;
const f = ms;

async function rigStart(n: number): Promise<void> {
  const ready: number[] = [];
  const pulse: number[] = [];
  const health: number[] = [];
  for (let i = 0; i < n; i++) {
    const rig = await VirtualRig.start();
    ready.push(rig.timings.readyMs);
    pulse.push(rig.timings.pulseMs);
    health.push(rig.timings.healthMs);
    await rig.stop();
  }
  say('rig start (private PipeWire + WirePlumber + pipewire-pulse, sink, capture); target <= 500 ms');
  say(`  server answering (pactl info)  ${stats(pulse)}`);
  say(`  start to ready                 ${stats(ready)}`);
  say(`  health check (tone out, back)  ${stats(health)}`);
}

// One scenario through the real CLI; its summary.json is the measurement.
const outDirs = new WeakMap<Summary, string>();
async function scenario(args: string[]): Promise<Summary> {
  const out = newResultsDir('bench', args[0] ?? 'run');
  await execa(process.execPath, hiltArgv('scenario', [...args, '--out', out]), { cwd: ROOT, reject: false });
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  outDirs.set(s, out);
  // A bug switch is expected to fail: only an unexpected verdict is worth a line.
  if (s.verdict !== 'pass' && !args.includes('--bug')) say(`  (${args.join(' ')}: verdict ${s.verdict}: ${s.diagnosis.split('\n')[0]})`);
  return s;
}

async function kill9(n: number): Promise<void> {
  const walls: number[] = [];
  const phases = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const s = await scenario(['kill9']);
    let sum = 0;
    for (const p of s.phases) {
      phases.set(p.name, [...(phases.get(p.name) ?? []), p.ms]);
      sum += p.ms;
    }
    walls.push(sum);
  }
  say('kill9 with the rig up (sum of phases; rig start excluded, guardian path); target <= 3000 ms');
  say(`  wall                           ${stats(walls)}`);
  for (const [name, ms] of phases) say(`    ${name.padEnd(28)} ${stats(ms)}`);
  const rig = await VirtualRig.start({ healthCheck: false });
  const t0 = now();
  await execa('bash', [join(ROOT, 'scenarios/bench/kill9-by-hand.sh'), ENGINE], { env: rig.env, reject: false });
  const byHand = now() - t0;
  await rig.stop();
  say(`  by hand (pactl + fixed sleeps) ${f(byHand)}  -> hilt takes ${((q(walls, 0.5) / byHand) * 100).toFixed(0)} % of it`);
}

// Silence after each fault, by the layer that ended it: fault to the victim's tone steadily
// back (audio_resume_ms), and the layer's own destroy time as it logged it.
async function silence(n: number): Promise<void> {
  const row = async (
    label: string,
    args: string[],
    own: 'guardian_ms' | 'crashguard_ms' | undefined,
    runs = n,
    metric = 'audio_resume_ms',
    also?: { metric: string; said: string }, // one more figure of the run, printed after the layer's
  ) => {
    const resume: number[] = [];
    const layer: number[] = [];
    const more: number[] = [];
    const cleanedBy = new Set<string>();
    for (let i = 0; i < runs; i++) {
      const s = await scenario(args);
      if (s.metrics[metric] !== undefined) resume.push(s.metrics[metric]!);
      if (own && s.metrics[own] !== undefined) layer.push(s.metrics[own]!);
      if (also && s.metrics[also.metric] !== undefined) more.push(s.metrics[also.metric]!);
      if (s.facts?.cleaned_by) cleanedBy.add(s.facts.cleaned_by); // a thaw has no cleanup layer
    }
    const ownText = layer.length ? `; ${own === 'guardian_ms' ? 'guardian' : 'crash guard'} destroy ${stats(layer)}` : '';
    const moreText = also ? `; ${also.said} ${more.length ? stats(more) : 'never'}` : '';
    const by = cleanedBy.size ? `  [${[...cleanedBy].join(', ')}]` : '';
    say(`  ${label.padEnd(30)} ${resume.length ? stats(resume) : 'never resumed'}${by}${ownText}${moreText}`);
  };
  say('silence after a fault (fault -> victim tone back); target <= 100 ms for the guardian and the crash guard (no core dump)');
  await row('SIGKILL, guardian', ['kill9'], 'guardian_ms');
  const threads = ['main', 'audio', 'worker'];
  for (const [i, sig] of ['segv', 'abrt', 'bus', 'trap', 'ill', 'fpe'].entries()) {
    const thread = threads[i % threads.length]!;
    await row(
      `SIG${sig.toUpperCase()} on ${thread}, crash guard`,
      ['crash', '--set', `signal=${sig}`, '--set', `thread=${thread}`, '--set', 'core=off'],
      'crashguard_ms',
    );
  }
  // The field's crashes: the guard on its alternate stack, allocating nothing, once.
  for (const [kind, thread] of [
    ['stack-overflow', 'main'],
    ['heap-corruption', 'audio'],
    ['terminate', 'worker'],
    ['crash-in-crash', 'audio'],
  ] as const) {
    await row(
      `${kind} on ${thread}, crash guard`,
      ['crash', '--set', `signal=${kind}`, '--set', `thread=${thread}`, '--set', 'core=off'],
      'crashguard_ms',
    );
  }
  await row('SIGSEGV on main, with core dump', ['crash', '--set', 'signal=segv'], 'crashguard_ms');
  await row('SIGKILL, relaunch sweep', ['kill9', '--bug', 'no-guardian'], undefined, Math.min(n, 2));
  await row('SIGKILL to its group, guardian', ['kill9', '--set', 'scope=group'], 'guardian_ms');
  // The guardian SIGKILLed first: the engine's new guardian cleans; also the kill to the engine's line about it.
  await row('guardian killed first, then SIGKILL', ['kill9', '--set', 'first=guardian'], 'guardian_ms', n, 'audio_resume_ms', {
    metric: 'guardian_noticed_ms',
    said: 'noticed and replaced',
  });
  await row('SIGKILL to its cgroup, sweep', ['kill9', '--set', 'scope=tree'], undefined, Math.min(n, 2));
  await row('thaw after 1 s frozen (from thaw)', ['freeze', '--set', 'ms=1000'], undefined);
  await row('SIGTERM, clean stop', ['sigterm'], undefined);
  // From the first SIGTERM to the server to the victim heard through the engine's new taps.
  await row('pipewire-pulse restart, reconnect', ['server-restart', '--set', 'restart=pulse'], undefined, n, 'resume_ms_pulse');
  await row('whole-stack restart, reconnect', ['server-restart', '--set', 'restart=stack'], undefined, n, 'resume_ms_stack');
}

// A sample-exact gap injected into a real tone through the real server, measured from the capture.
async function resumeErrorOnRig(gaps: number[], reps: number): Promise<void> {
  const rig = await VirtualRig.start({ healthCheck: false });
  const errors: number[] = [];
  const seen: string[] = [];
  try {
    const tone = new ToneSource('hilt-bench-tone', OBSERVED_SINK, rig.env);
    const cap = rig.capture;
    await cap.waitFor('present', { after: now(), minRunMs: 200, deadlineMs: 3000 });
    for (const gap of gaps) {
      for (let r = 0; r < reps; r++) {
        const t = now();
        tone.gap(gap);
        const off = await cap.waitFor('absent', { after: t, minRunMs: 30, deadlineMs: 2000 });
        const on = await cap.waitFor('present', { after: off.atMs ?? t, minRunMs: 50, deadlineMs: 2000 });
        if (!off.ok || !on.ok) {
          say(`  gap ${gap} ms: not observed`);
          continue;
        }
        const measured = on.atMs! - off.atMs!;
        errors.push(Math.abs(measured - gap));
        seen.push(`${gap}->${Math.round(measured)}`);
        await cap.waitFor('present', { after: now(), minRunMs: 100, deadlineMs: 2000 });
      }
    }
    await tone.stop();
  } finally {
    await rig.stop();
  }
  say(`resume-time error, real rig (gaps ${gaps.join('/')} ms x${reps}); target <= 10 ms`);
  say(`  |measured - injected|          ${stats(errors)}`);
  say(`  injected->measured ms          ${seen.join('  ')}`);
}

function resumeErrorSynthetic(trials: number): void {
  const rate = 48000;
  const errors: number[] = [];
  for (let i = 0; i < trials; i++) {
    const gapStart = 4800 + Math.floor(Math.random() * 4800);
    const gapMs = 20 + Math.random() * 800;
    const gapEnd = gapStart + Math.round((gapMs * rate) / 1000);
    const x = sine(440, 0.3, gapEnd + rate / 2, rate).fill(0, gapStart, gapEnd);
    const t = detectTone(x, { sampleRate: rate, frequencyHz: 440, windowMs: 10 });
    const back = firstSteadyPresence(t, firstSteadyAbsence(t, windowAt(t, gapStart), 2) ?? 0, 3);
    if (back !== undefined) errors.push(Math.abs(windowStartMs(t, back, gapStart) - gapMs));
  }
  say(`resume-time error, synthetic (detector only, random gaps 20-820 ms)`);
  say(`  |measured - injected|          ${stats(errors)}`);
}

// The release gate over 10 runners' results (folders, a .zip, a .tar.gz), read and judged.
async function gateFigures(n: number): Promise<void> {
  const times: number[] = [];
  let shape = '';
  for (let i = 0; i < n; i++) {
    const g = await gateBench(10);
    times.push(g.ms);
    shape = `${g.runners} runners, ${g.results} results`;
  }
  say(`release gate over ${shape}`);
  say(`  read and judge                 ${stats(times)}`);
}

// The HTML report built from 100 results (copies of one real kill9 run).
async function reportFigures(): Promise<void> {
  const s = await scenario(['kill9']);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) times.push((await reportBench(outDirs.get(s)!)).ms);
  say(`HTML report (pnpm report) from ${BENCH_RESULTS} results`);
  say(`  build                          ${stats(times)}`);
}

const PARTS = [
  'cost',
  'inventory',
  'rig',
  'kill9',
  'silence',
  'resume',
  'synthetic',
  'gc',
  'endings',
  'kernel',
  'midi',
  'windows',
  'gate',
  'report',
  'suite',
] as const;

// HILT_BENCH_ONLY=part,... runs some parts; HILT_BENCH_RUNS=N the runs of each. A typo in either is
// said (exit 2) before anything is measured, never a bench that silently measures nothing.
function benchEnv(): { part: (name: (typeof PARTS)[number]) => boolean; runs: (fallback: number) => number } {
  const only = process.env.HILT_BENCH_ONLY?.split(',').filter(Boolean);
  const unknown = (only ?? []).filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length) {
    throw new HiltError('USAGE', `HILT_BENCH_ONLY: no part named ${unknown.join(', ')}`, { expected: `some of ${PARTS.join(', ')}` });
  }
  const raw = process.env.HILT_BENCH_RUNS;
  if (raw !== undefined && !/^[1-9]\d*$/.test(raw)) {
    throw new HiltError('USAGE', `HILT_BENCH_RUNS=${raw}: not a count of runs`, { expected: 'a whole number >= 1' });
  }
  return { part: (name) => !only || only.includes(name), runs: (fallback) => (raw === undefined ? fallback : Number(raw)) };
}

async function main(): Promise<void> {
  const { part, runs } = benchEnv();
  say(`hilt bench  ${new Date().toISOString()}  node ${process.version}`);
  if (part('cost')) await costFigures(runs(5));
  if (part('inventory')) await inventoryFigures(20);
  if (part('rig')) await rigStart(5);
  if (part('kill9')) await kill9(runs(3));
  if (part('silence')) await silence(runs(3));
  if (part('resume')) await resumeErrorOnRig([100, 250, 500], 3);
  if (part('synthetic')) resumeErrorSynthetic(200);
  if (part('gc')) await gcTeardownFigures(runs(3), 40);
  if (part('endings')) await endingFigures(runs(3), scenario);
  if (part('kernel')) await kernelFigures(runs(3), 100, scenario, (s) => outDirs.get(s)!);
  if (part('midi')) await midiFigures(runs(5), 200, scenario);
  if (part('windows')) await windowsFigures(runs(3));
  if (part('gate')) await gateFigures(5);
  if (part('report')) await reportFigures();
  if (part('suite')) await suiteFigures(); // last: the whole test suite, about 4 minutes
}

await runCommand({
  name: 'hilt bench',
  usage: `usage: [HILT_BENCH_ONLY=part,...] [HILT_BENCH_RUNS=N] pnpm bench   (parts: ${PARTS.join(', ')})`,
  run: async () => {
    try {
      await main();
      return 0;
    } finally {
      reaper.close();
    }
  },
});
