// One line of `rig check` from a fact that more than one check makes: a failure hilt said as a
// HiltError, and the loopback measured.
import { HiltError, isHiltError } from '../../errors.ts';
import type { CheckLine, LineStatus } from './facts.ts';
import type { LoopbackResult } from './loopback.ts';

const PULSE_LOOPBACK_FIX =
  'check that the capture hears the output ' +
  '(pactl list short sources: the monitor of the output, or the cable; sudo modprobe snd-aloop)';

export const errorLine = (id: string, e: unknown, status: LineStatus = isHiltError(e, 'RIG_MISSING') ? 'missing' : 'failed'): CheckLine => {
  if (!(e instanceof HiltError)) throw e; // a bug of hilt's own: not a fact about the runner
  const [summary] = e.message.split('\n');
  const text = [summary, e.expected && `expected ${e.expected}`, e.seen && `seen ${e.seen.split('\n')[0]}`].filter(Boolean).join('; ');
  return { id, status, text, required: true, ...(e.hint ? { fix: e.hint } : {}) };
};

export function loopbackLine(l: LoopbackResult, fix = PULSE_LOOPBACK_FIX): CheckLine {
  const figures = [
    l.latencyMs !== undefined && `latency ${l.latencyMs} ms (tone start to heard steadily 50 ms)`,
    l.level &&
      `level RMS ${l.level.rms} (${l.level.rmsDbfs} dBFS, ${l.level.relativeDb > 0 ? '+' : ''}${l.level.relativeDb} dB ` +
        `against what was played), peak ${l.level.peak}`,
    l.silentAfterMs !== undefined && 'then heard to stop',
  ].filter(Boolean);
  const said = [...figures, l.problem].filter(Boolean).join('; ');
  const text = `${l.output} -> ${l.capture}, ${l.toneHz} Hz at amplitude ${l.playedAmplitude}: ${said}`;
  return {
    id: 'loopback',
    status: l.ok ? 'ok' : 'failed',
    text,
    required: true,
    ...(l.ok ? {} : { fix }),
  };
}
