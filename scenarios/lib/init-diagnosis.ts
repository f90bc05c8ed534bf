// The one sentence a red threaded-init run starts with: which of seed 002's failures came back
// (the fatal GIL abort, a frozen GUI or callback thread, a start-up that never ends), in the
// words of the bug switch that puts it back, and the fix.
import type { Gap } from '../../harness/check/heartbeat.ts';
import type { ExitClass } from '../../harness/proc/exit.ts';
import { stuckIn } from '../../harness/evidence/stuck-in.ts';
import type { InitOutcome } from './midi-app.ts';

export interface InitFacts {
  app: 'tk' | 'engine';
  mode: string; // Tk: direct | deferred | gil-null
  thread: string; // engine: main | audio | worker
  midi: string; // rig | absent | silent
  init: InitOutcome;
  gap: Gap;
  gapLimit: number;
  fatal: string[];
  exit: ExitClass;
  bugs: string[];
}

const SEED = 'rtmidi initialised in a Tkinter callback, seed 002';
const FIX =
  'Fix: defer with after(), initialise MIDI on a worker thread, hand the result back through a queue, ' +
  'time out after 5 s and fall back to a simulation mode the user is told about.';

export function initDiagnosis(f: InitFacts): string | undefined {
  const asking = f.app === 'tk' ? 'the Tk event loop' : `the engine's ${f.thread} thread`; // where the start-up was asked from
  const beating = f.app === 'tk' ? 'the Tk event loop' : "the engine's audio thread"; // whose heartbeat is watched
  const cause =
    f.app === 'tk'
      ? f.mode === 'gil-null'
        ? 'gil-null: a thread-state misuse re-entered from the Start button callback, as in CPython gh-84256'
        : f.mode === 'direct'
          ? 'mode direct: MIDI initialised inside the Start button callback'
          : `mode ${f.mode}`
      : f.bugs.includes('init-on-callback-thread')
        ? `init-on-callback-thread: MIDI start-up ran inline on the ${f.thread} thread, with no timeout`
        : `MIDI asked from the ${f.thread} thread`;
  const gil = f.fatal.find((s) => /Fatal Python error/.test(s));
  if (gil || f.init.result === 'exited') {
    const death = f.init.exit ? ` The app died ${f.exit.name} (${f.exit.description})` : '';
    return `fatal: ${gil ?? f.fatal[0] ?? 'the app died'} during MIDI start-up.${death} (${cause}; ${SEED}). ${FIX}`;
  }
  if (f.init.result === 'hung') {
    const stuck = stuckIn(f.init.hang?.stacks.stacks, /^jack_client_open$/);
    return (
      `stall: ${asking} was blocked in MIDI start-up for at least ${Math.round(f.init.endedAt - f.init.askedAt)} ms ` +
      `and never got back (no outcome${f.gap.ongoing ? ', no heartbeat' : ''}); ` +
      `${stuck ? `stacks: ${stuck}; ` : ''}${f.init.hang?.waits ?? ''}. ` +
      `The MIDI server ${f.midi === 'silent' ? 'accepted the connection and never answered' : 'was ' + f.midi}, ` +
      `and nothing timed the start-up out (${cause}; ${SEED}). ${FIX}`
    );
  }
  if (f.gap.gapMs > f.gapLimit) {
    return (
      `stall: ${beating} stopped beating for ${Math.round(f.gap.gapMs)} ms (limit ${f.gapLimit} ms) ` +
      `while MIDI started (${cause}; ${SEED}). ${FIX}`
    );
  }
  if (f.app === 'engine' && f.init.requestMs !== undefined && f.init.initMs !== undefined && f.init.requestMs >= f.init.initMs) {
    return (
      `blocked: the request held the engine's ${f.thread} thread ${f.init.requestMs.toFixed(1)} ms, until MIDI was up: ` +
      `the start-up ran on the thread that asked (${cause}). On a silent MIDI server that thread never comes back. ${FIX}`
    );
  }
  return undefined;
}
