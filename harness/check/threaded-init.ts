// The threaded-init judge (rtmidi initialised in a Tkinter callback, seed 002): MIDI started from
// a GUI button callback or the engine's audio thread must not die with the fatal GIL abort, the
// loop that asked must keep beating, MIDI must connect in time (or fall back to a simulation mode
// the user is told about), echo, and the app must exit cleanly leaving no port or server object.
// Pure: scenarios/threaded-init.scenario.ts records the observation; recorded ones test it.
import type { Stacks } from '../evidence/gdb-stacks.ts';
import { stuckIn } from '../evidence/stuck-in.ts';
import type { InventoryObject } from '../inventory/objects.ts';
import type { ExitClass } from '../proc/exit.ts';
import { expectation, withinLimit, type CheckResult, type Judgement } from './check.ts';
import { largestGap, type Gap } from './heartbeat.ts';
import { backToBaseline } from './orphans.ts';

// What came of the MIDI start-up, as the app said it (or the watchdog saw it).
export interface InitObserved {
  result: 'connected' | 'simulation' | 'failed' | 'exited' | 'hung';
  askedAt: number; // monotonic ms: the click, or the control line sent
  endedAt: number; // monotonic ms: the outcome line, the death, or the hang's detection
  initMs?: number; // as the app measured it (click or request to outcome)
  ports?: { in: string; out: string };
  reason?: string; // simulation mode's or the failure's reason
  requestMs?: number; // the engine: how long the asking thread was held (undefined: never returned)
  hang?: { waits: string; stacks?: Stacks }; // where the watchdog found the threads at the soft deadline
  died?: ExitClass; // how the app ended when it died during start-up
}

// One message sent through the app and back.
export interface RoundTripObserved {
  name: string; // "note on", "note off", "sysex"
  ok: boolean;
  latencyMs?: number;
  retried: boolean; // the first send was lost and sent once more
  received: string[]; // hex of what did arrive when it was not the echo
}

export interface ThreadedInitObservation {
  kind: 'threaded-init';
  target: { name: string; pid: number };
  bugs: string[];
  app: 'tk' | 'engine';
  midi: 'rig' | 'absent' | 'silent';
  mode: string; // Tk: direct | deferred | gil-null
  thread: string; // engine: main | audio | worker
  where: string; // whose heartbeat is watched: "the Tk event loop", "the engine's audio thread"
  limits: { heartbeatMs: number; gapMs: number; connectMs: number; timeoutMs: number; simulationMs: number };
  init: InitObserved;
  beats: number[]; // heartbeat times (monotonic ms), from the last before the ask to the outcome
  signaturesAtInit: string[]; // crash signatures in its log once the start-up ended
  status?: { title?: string }; // the Tk window's title, asked when MIDI connected or fell back
  roundTrip?: { linkMs?: number; messages: RoundTripObserved[] }; // when MIDI connected
  portsBefore: string[]; // its ports on the MIDI server before it was asked to quit
  exit: ExitClass;
  escalated: boolean; // it missed its stop deadline and was killed
  signatures: string[]; // crash signatures in its log once it ended
  portsLeft: string[]; // its ports still on the server when hilt stopped waiting
  portsGoneMs: number; // how long hilt waited for them to go
  notBaseline: InventoryObject[];
}

// The loop's largest gap between beats from the ask to the outcome (never past it: a window into
// the future reads as a gap).
export const startupGap = (o: Pick<ThreadedInitObservation, 'beats' | 'init'>): Gap => largestGap(o.beats, o.init.askedAt, o.init.endedAt);

export function judgeThreadedInit(o: ThreadedInitObservation): Judgement {
  const { app, init, limits, thread } = o;
  const gap = startupGap(o);
  const outcome = `outcome: ${init.result}${init.reason ? ` (${init.reason})` : ''}`;
  const fatal = o.signaturesAtInit;
  const checks: CheckResult[] = [
    withinLimit(
      'keeps-running',
      `${o.where} keeps running during MIDI start-up`,
      gap.gapMs,
      limits.gapMs,
      'ms',
      `largest heartbeat gap (every ${limits.heartbeatMs} ms) from the ${app === 'tk' ? 'click' : 'request'} to the outcome` +
        `${gap.ongoing && gap.gapMs > 2 * limits.heartbeatMs ? ': no beat came after it' : ''}`,
    ),
    expectation(
      'no-fatal-signature',
      'no fatal signature during MIDI start-up',
      fatal.length === 0 && init.result !== 'exited',
      fatal[0] ?? (init.result === 'exited' ? `died: ${init.died?.name}` : 'none'),
      'none',
      '',
      fatal.length
        ? fatal.join('; ')
        : init.result === 'exited'
          ? `the app died during MIDI start-up (${init.died?.description})`
          : 'no "Fatal Python error", abort or sanitizer report',
    ),
  ];
  if (app === 'engine') {
    const held = init.requestMs;
    const handedOff = held !== undefined && init.initMs !== undefined && init.result !== 'hung' && held < init.initMs;
    checks.push(
      expectation(
        'handed-off',
        `MIDI start-up handed off the ${thread} thread`,
        handedOff,
        held === undefined ? 'never returned' : `${held.toFixed(1)} ms`,
        'returns before MIDI is up',
        '',
        held === undefined
          ? `the ${thread} thread never got back from the request`
          : `the request held the ${thread} thread ${held.toFixed(1)} ms; MIDI came up after ${init.initMs?.toFixed(1) ?? '?'} ms`,
      ),
    );
  }
  // The outcome: connected where MIDI exists, simulation (told to the user) where it does not.
  checks.push(
    o.midi === 'rig'
      ? withinLimit(
          'midi-connected',
          'MIDI connected within its deadline',
          init.result === 'connected' ? init.initMs : undefined,
          limits.connectMs,
          'ms',
          init.result === 'connected' ? `ports ${init.ports?.in}, ${init.ports?.out}` : outcome,
        )
      : withinLimit(
          'simulation-mode',
          `simulation mode within ${limits.timeoutMs} ms plus a margin`,
          init.result === 'simulation' ? init.initMs : undefined,
          limits.simulationMs,
          'ms',
          init.result === 'simulation' ? `reason: ${init.reason}` : outcome,
        ),
  );
  if (o.status) {
    const shown = o.status.title;
    const want = init.result === 'connected' ? /MIDI connected/ : /SIMULATION MODE/;
    checks.push(
      expectation(
        'status-shown',
        'the user is told the MIDI status',
        !!shown && want.test(shown),
        shown ?? 'no window',
        want.source,
        '',
        `window title: "${shown}"`,
      ),
    );
  }
  // MIDI works after start-up: note on, note off and a sysex through the app and back.
  for (const m of o.roundTrip?.messages ?? []) {
    checks.push({
      ...withinLimit(
        'midi-round-trip',
        `MIDI round-trip: ${m.name}`,
        m.latencyMs,
        1000,
        'ms',
        m.ok
          ? `echoed by ${o.target.name}${m.retried ? ' (the first send was lost and retried once)' : ''}`
          : `no echo within 1000 ms, twice; received: ${m.received.join(',') || 'nothing'}` +
              `${o.roundTrip?.linkMs === undefined ? '; nothing echoed since the connect either' : ''}`,
      ),
      subject: m.name,
    });
  }
  // Clean exit, then nothing of it left on the MIDI server or the audio server.
  const { exit, signatures } = o;
  checks.push(
    expectation(
      'clean-exit',
      'clean exit',
      exit.kind === 'clean' && !o.escalated && signatures.length === 0,
      exit.name,
      'exit 0',
      '',
      signatures.length ? signatures[0]! : o.escalated ? 'it missed its stop deadline and was killed' : exit.description,
    ),
    expectation(
      'midi-ports-gone',
      "the app's MIDI ports are gone after it ends",
      o.portsLeft.length === 0,
      o.portsLeft.length,
      0,
      'ports',
      o.portsLeft.length
        ? `still on the server: ${o.portsLeft.join(', ')}`
        : `${o.portsBefore.length} port(s) gone within ${Math.round(o.portsGoneMs)} ms`,
    ),
    backToBaseline(o.notBaseline),
  );
  const diagnosis = initDiagnosis(o, gap);
  return { checks, ...(diagnosis && { diagnosis }) };
}

const SEED = 'rtmidi initialised in a Tkinter callback, seed 002';
const FIX =
  'Fix: defer with after(), initialise MIDI on a worker thread, hand the result back through a queue, ' +
  'time out after 5 s and fall back to a simulation mode the user is told about.';

// The one sentence a red run starts with: which of seed 002's failures came back (the fatal GIL
// abort, a frozen GUI or callback thread, a start-up that never ends), in the words of the bug
// switch that puts it back, and the fix.
function initDiagnosis(o: ThreadedInitObservation, gap: Gap): string | undefined {
  const { init } = o;
  const asking = o.app === 'tk' ? 'the Tk event loop' : `the engine's ${o.thread} thread`; // where the start-up was asked from
  const beating = o.app === 'tk' ? 'the Tk event loop' : "the engine's audio thread"; // whose heartbeat is watched
  const cause =
    o.app === 'tk'
      ? o.mode === 'gil-null'
        ? 'gil-null: a thread-state misuse re-entered from the Start button callback, as in CPython gh-84256'
        : o.mode === 'direct'
          ? 'mode direct: MIDI initialised inside the Start button callback'
          : `mode ${o.mode}`
      : o.bugs.includes('init-on-callback-thread')
        ? `init-on-callback-thread: MIDI start-up ran inline on the ${o.thread} thread, with no timeout`
        : `MIDI asked from the ${o.thread} thread`;
  const gil = o.signatures.find((s) => /Fatal Python error/.test(s));
  if (gil || init.result === 'exited') {
    const death = init.died ? ` The app died ${o.exit.name} (${o.exit.description})` : '';
    return `fatal: ${gil ?? o.signatures[0] ?? 'the app died'} during MIDI start-up.${death} (${cause}; ${SEED}). ${FIX}`;
  }
  if (init.result === 'hung') {
    const stuck = stuckIn(init.hang?.stacks, /^jack_client_open$/);
    return (
      `stall: ${asking} was blocked in MIDI start-up for at least ${Math.round(init.endedAt - init.askedAt)} ms ` +
      `and never got back (no outcome${gap.ongoing ? ', no heartbeat' : ''}); ` +
      `${stuck ? `stacks: ${stuck}; ` : ''}${init.hang?.waits ?? ''}. ` +
      `The MIDI server ${o.midi === 'silent' ? 'accepted the connection and never answered' : 'was ' + o.midi}, ` +
      `and nothing timed the start-up out (${cause}; ${SEED}). ${FIX}`
    );
  }
  if (gap.gapMs > o.limits.gapMs) {
    return (
      `stall: ${beating} stopped beating for ${Math.round(gap.gapMs)} ms (limit ${o.limits.gapMs} ms) ` +
      `while MIDI started (${cause}; ${SEED}). ${FIX}`
    );
  }
  if (o.app === 'engine' && init.requestMs !== undefined && init.initMs !== undefined && init.requestMs >= init.initMs) {
    return (
      `blocked: the request held the engine's ${o.thread} thread ${init.requestMs.toFixed(1)} ms, until MIDI was up: ` +
      `the start-up ran on the thread that asked (${cause}). On a silent MIDI server that thread never comes back. ${FIX}`
    );
  }
  return undefined;
}
