// The loopback of `rig check`: a tone out through the output hilt would observe and back through
// its capture, timed (tone start to first heard, steady 50 ms) and measured (RMS and peak of what
// came back), then heard to stop. On the system rig the output is a null sink hilt loads for the
// check (`hilt-check-<pid>`) and unloads in a finally; nothing else on the server is touched.
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { HiltError } from '../../errors.ts';
import { Capture } from '../../audio/capture.ts';
import { ToneSource } from '../../audio/tone-source.ts';
import { now, pollUntil } from '../../wait.ts';
import { runTool } from '../../watchdog/tool.ts';
import { unsavedSinkProperties } from '../session.ts';

export const CHECK_TONE_HZ = 440;
export const CHECK_TONE_AMPLITUDE = 0.3;
export const CHECK_APP = 'hilt-rig-check';
const STEADY_MS = 50; // "first heard" means heard steadily this long
const LEVEL_FROM_MS = 20; // the level is read over [heard + 20 ms, heard + 220 ms]
const LEVEL_SPAN_MS = 200;
// Quieter than this, relative to what was played, is not a usable loopback (a cable with the gain
// down, a wrong capture that hears only crosstalk).
export const MIN_LEVEL_DB = -20;

export interface Level {
  rms: number;
  peak: number;
  rmsDbfs: number;
  // Relative to the RMS of what was played (amplitude / sqrt 2): 0 dB is a perfect digital loop.
  relativeDb: number;
}

export interface LoopbackResult {
  ok: boolean;
  output: string; // the device the tone was played into
  capture: string; // the device it was heard on
  toneHz: number;
  playedAmplitude: number;
  latencyMs?: number; // tone start (the player spawned) to the tone first heard steadily
  level?: Level;
  silentAfterMs?: number; // tone stopped to silence heard steadily
  problem?: string; // why ok is false
}

const db = (x: number): number => (x > 0 ? 20 * Math.log10(x) : Number.NEGATIVE_INFINITY);
const round = (x: number, digits: number): number => Number(x.toFixed(digits)) + 0; // + 0: no "-0"

// Pure: RMS and peak of samples in [-1, 1], against the amplitude that was played.
export function levelOf(samples: Float32Array, playedAmplitude: number): Level {
  let sum = 0;
  let peak = 0;
  for (const s of samples) {
    sum += s * s;
    peak = Math.max(peak, Math.abs(s));
  }
  const rms = samples.length ? Math.sqrt(sum / samples.length) : 0;
  return {
    rms: round(rms, 4),
    peak: round(peak, 4),
    rmsDbfs: round(db(rms), 1),
    relativeDb: round(db(rms / (playedAmplitude / Math.SQRT2)), 1),
  };
}

// Pure: is the level a usable loopback? Undefined when it is, else what is wrong.
export function levelProblem(level: Level): string | undefined {
  if (level.peak >= 0.999) return `the tone came back clipped (peak ${level.peak}): lower the capture gain`;
  if (level.relativeDb < MIN_LEVEL_DB) {
    return `the tone came back ${-level.relativeDb} dB below what was played (at most ${-MIN_LEVEL_DB} dB is usable)`;
  }
  return undefined;
}

// The tone through `play()` and back through `capture`; the player is stopped in any case.
export async function measureLoopback(
  capture: Capture,
  play: () => ToneSource,
  where: { output: string; capture: string },
  deadlineMs = 3000,
): Promise<LoopbackResult> {
  const result: LoopbackResult = { ok: false, ...where, toneHz: CHECK_TONE_HZ, playedAmplitude: CHECK_TONE_AMPLITUDE };
  const t0 = now();
  const tone = play();
  let stoppedAt: number;
  try {
    const heard = await capture.waitFor('present', { after: t0, minRunMs: STEADY_MS, deadlineMs });
    if (!heard.ok || heard.atMs === undefined) {
      capture.assertRunning();
      result.problem = `no ${CHECK_TONE_HZ} Hz tone heard on ${where.capture} within ${deadlineMs} ms of playing it into ${where.output}`;
      return result;
    }
    result.latencyMs = round(Math.max(0, heard.atMs - t0), 1);
    const from = capture.sampleAt(heard.atMs + LEVEL_FROM_MS);
    const to = capture.sampleAt(heard.atMs + LEVEL_FROM_MS + LEVEL_SPAN_MS);
    const enough = await pollUntil(() => capture.samplesSeen >= to, { deadlineMs: 2000, intervalMs: 10 });
    if (!enough.ok) {
      result.problem = `the capture stopped delivering samples: ${LEVEL_SPAN_MS} ms of the tone not there after 2000 ms`;
      return result;
    }
    result.level = levelOf(capture.samples(from, to), CHECK_TONE_AMPLITUDE);
  } finally {
    stoppedAt = now();
    await tone.stop();
  }
  const gone = await capture.waitFor('absent', { after: stoppedAt, minRunMs: STEADY_MS, deadlineMs });
  if (!gone.ok || gone.atMs === undefined) {
    result.problem = `the tone was still heard ${deadlineMs} ms after its player stopped: the capture hears something else too`;
    return result;
  }
  result.silentAfterMs = round(Math.max(0, gone.atMs - stoppedAt), 1);
  result.problem = levelProblem(result.level!);
  result.ok = result.problem === undefined;
  return result;
}

// Ctrl-C or SIGTERM during the check: the module is unloaded (synchronously, with a deadline)
// and hilt exits as the signal would. SIGKILL cannot be caught: see systemLoopback.
function unloadOnSignal(module: string, env: Record<string, string>): () => void {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const remove = () => signals.forEach((sig) => process.off(sig, onSignal));
  function onSignal(sig: NodeJS.Signals): void {
    remove();
    spawnSync('pactl', ['unload-module', module], { env: { ...process.env, ...env }, timeout: 2000, stdio: 'ignore' });
    // Exit as the signal would (tsx's own listeners keep a re-raised one from killing us); the
    // reaper then ends the player and the recorder when our pipe to it closes.
    process.exit(128 + (constants.signals[sig] ?? 0));
  }
  signals.forEach((sig) => process.once(sig, onSignal));
  return remove;
}

export const checkSinkName = (pid = process.pid): string => `hilt-check-${pid}`;

// The system rig's loopback: a null sink of hilt's own, captured through its monitor. The module is
// unloaded and the player and recorder stopped in a finally, whatever happened. The reaper cannot
// take a server module (it knows pids and dirs), so a SIGKILLed check leaves the sink until the
// session's server restarts; it is named hilt-check-<pid> so it can be found and unloaded.
export async function systemLoopback(env: Record<string, string>, deadlineMs = 3000): Promise<LoopbackResult> {
  const sink = checkSinkName();
  const pactl = (args: string[]) => runTool('pactl', args, { env, reject: false, deadlineMs: 5000 });
  let module: string | undefined;
  let removeOnSignal = (): void => {};
  let capture: Capture | undefined;
  const where = { output: sink, capture: `${sink}.monitor` };
  try {
    const loaded = await pactl(['load-module', 'module-null-sink', `sink_name=${sink}`, unsavedSinkProperties(sink)]);
    if (loaded.exitCode !== 0) {
      return {
        ok: false,
        ...where,
        toneHz: CHECK_TONE_HZ,
        playedAmplitude: CHECK_TONE_AMPLITUDE,
        problem: `pactl load-module failed: ${loaded.stderr.trim()}`,
      };
    }
    module = loaded.stdout.trim();
    removeOnSignal = unloadOnSignal(module, env);
    const listed = await pollUntil(
      async () => (await pactl(['list', 'short', 'sinks'])).stdout.split('\n').some((l) => l.split('\t')[1] === sink),
      {
        deadlineMs: 3000,
        intervalMs: 20,
      },
    );
    if (!listed.ok) {
      return {
        ok: false,
        ...where,
        toneHz: CHECK_TONE_HZ,
        playedAmplitude: CHECK_TONE_AMPLITUDE,
        problem: `${sink} not listed 3000 ms after load-module`,
      };
    }
    capture = Capture.start(where.capture, env, CHECK_TONE_HZ);
    return await measureLoopback(
      capture,
      () => new ToneSource(CHECK_APP, sink, env, CHECK_TONE_HZ, CHECK_TONE_AMPLITUDE),
      where,
      deadlineMs,
    );
  } finally {
    await capture?.stop();
    if (module !== undefined) {
      const unloaded = await pactl(['unload-module', module]);
      if (unloaded.exitCode !== 0) {
        // eslint-disable-next-line no-unsafe-finally
        throw new HiltError('TOOL_FAILED', `the check could not remove its own null sink ${sink} (module ${module})`, {
          expected: 'pactl unload-module to succeed',
          seen: `exit ${unloaded.exitCode ?? unloaded.signal}: ${unloaded.stderr.trim()}`,
          hint: `remove it by hand: pactl unload-module ${module}`,
        });
      }
    }
    removeOnSignal(); // after the unload: a signal during it still unloads (twice is harmless)
  }
}

// A rig file's device pair (a loopback cable, snd-aloop): the tone into its output, heard on its
// capture. Nothing is loaded; the player and recorder are stopped whatever happened.
export async function deviceLoopback(
  env: Record<string, string>,
  pair: { output: string; capture: string },
  deadlineMs = 3000,
): Promise<LoopbackResult> {
  const capture = Capture.start(pair.capture, env, CHECK_TONE_HZ);
  try {
    return await measureLoopback(
      capture,
      () => new ToneSource(CHECK_APP, pair.output, env, CHECK_TONE_HZ, CHECK_TONE_AMPLITUDE),
      { output: pair.output, capture: pair.capture },
      deadlineMs,
    );
  } finally {
    await capture.stop();
  }
}
