// The threaded-init judge on observations recorded from real runs (fixtures/recorded/observations/
// threaded-init-*.json): the Tk app deferred (the fix) against the rig's MIDI and a silent server,
// mode direct against a silent server, under gil-null; the engine asked from its audio thread as it
// is, under init-on-callback-thread, and that on a silent server. Every check passes on one and
// fails on another; each bug switch's diagnosis names it. Where no real run failed a check, the
// test changes the one field that check reads, and says so.
import { describe, expect, it } from 'vitest';
import { judgeThreadedInit, startupGap, type ThreadedInitObservation } from './threaded-init.ts';
import { recordings } from './recorded.ts';

const { recorded, failedIds, check, find } = recordings<ThreadedInitObservation>('threaded-init', judgeThreadedInit);

describe('judgeThreadedInit on real runs: the verdicts those runs had', () => {
  it.each([
    ['tk-pass', []],
    ['tk-silent', []],
    ['engine-pass', []],
    // The hangs themselves are the watchdog's no-hang check, made by the run, not by this judge.
    ['tk-direct-silent', ['keeps-running', 'simulation-mode', 'clean-exit']],
    ['gil-null', ['keeps-running', 'no-fatal-signature', 'midi-connected', 'clean-exit']],
    ['engine-blocked', ['handed-off']],
    ['engine-stall', ['keeps-running', 'handed-off', 'simulation-mode', 'clean-exit']],
  ])('%s fails %j', (name, ids) => {
    expect(failedIds(recorded(name))).toEqual(ids);
  });
});

describe('each check, pass and fail', () => {
  const ok = recorded('tk-pass');

  it('keeps-running: the largest heartbeat gap from the ask to the outcome; a loop still blocked has no beat after it', () => {
    expect(check(ok, 'keeps-running')?.verdict).toBe('pass');
    expect(check(ok, 'keeps-running')?.measured).toBe(Math.round(startupGap(ok).gapMs * 10) / 10);
    expect(check(recorded('tk-direct-silent'), 'keeps-running')?.message).toMatch(/to the outcome: no beat came after it: 6000 ms/);
  });

  it('no-fatal-signature: the GIL abort in the log', () => {
    expect(check(ok, 'no-fatal-signature')?.message).toBe('no "Fatal Python error", abort or sanitizer report');
    expect(check(recorded('gil-null'), 'no-fatal-signature')?.measured).toMatch(/^Fatal Python error: PyEval_RestoreThread/);
  });

  it('handed-off: only the engine; the request returned before MIDI was up, or never did', () => {
    expect(find(ok, 'handed-off')).toBeUndefined();
    expect(check(recorded('engine-pass'), 'handed-off')?.verdict).toBe('pass');
    expect(check(recorded('engine-blocked'), 'handed-off')?.message).toMatch(
      /^the request held the audio thread [\d.]+ ms; MIDI came up after [\d.]+ ms$/,
    );
    expect(check(recorded('engine-stall'), 'handed-off')).toMatchObject({ measured: 'never returned' });
  });

  it('midi-connected on the rig, simulation-mode on a silent server: the outcome and its time', () => {
    expect(check(ok, 'midi-connected')?.message).toMatch(/^ports hilt-tk-\d+:in, hilt-tk-\d+-out:out: \d+ ms/);
    expect(check(recorded('gil-null'), 'midi-connected')?.message).toMatch(/^outcome: exited: did not happen/);
    expect(check(recorded('tk-silent'), 'simulation-mode')?.message).toMatch(/^reason: MIDI init timed out after 5\.0 s/);
    expect(check(recorded('tk-direct-silent'), 'simulation-mode')?.message).toMatch(/^outcome: hung: did not happen/);
  });

  it('status-shown: the window title says it (changed: no window, the wrong title)', () => {
    expect(check(ok, 'status-shown')?.measured).toMatch(/^hilt-tk-midi: MIDI connected \(/);
    expect(check(recorded('tk-silent'), 'status-shown')?.measured).toMatch(/SIMULATION MODE/);
    expect(check({ ...ok, status: {} }, 'status-shown')).toMatchObject({ verdict: 'fail', measured: 'no window' });
    expect(check({ ...ok, status: { title: 'hilt-tk-midi' } }, 'status-shown')?.verdict).toBe('fail');
  });

  it('midi-round-trip: each message echoed (changed: the sysex lost twice)', () => {
    for (const m of ['note on', 'note off', 'sysex']) expect(check(ok, 'midi-round-trip', m)?.verdict).toBe('pass');
    const messages = ok.roundTrip!.messages.map((m) =>
      m.name === 'sysex' ? { name: m.name, ok: false, retried: true, received: ['80 00 00'] } : m,
    );
    const lost = { ...ok, roundTrip: { ...ok.roundTrip, messages } };
    expect(check(lost, 'midi-round-trip', 'sysex')?.message).toBe(
      'no echo within 1000 ms, twice; received: 80 00 00: did not happen within the 1000 ms deadline',
    );
    expect(check(lost, 'midi-round-trip', 'note on')?.verdict).toBe('pass');
  });

  it('clean-exit: exit 0 with nothing fatal in the log', () => {
    expect(check(ok, 'clean-exit')?.verdict).toBe('pass');
    expect(check(recorded('gil-null'), 'clean-exit')?.measured).toBe('SIGABRT');
    expect(check(recorded('engine-stall'), 'clean-exit')?.measured).toBe('SIGKILL');
  });

  it('midi-ports-gone and back-to-baseline (changed: a port and an object left)', () => {
    expect(check(ok, 'midi-ports-gone')?.message).toMatch(/^2 port\(s\) gone within \d+ ms$/);
    const port = `hilt-tk-${ok.target.pid}:in`;
    expect(check({ ...ok, portsLeft: [port] }, 'midi-ports-gone')?.message).toBe(`still on the server: ${port}`);
    expect(check(ok, 'back-to-baseline')?.verdict).toBe('pass');
    const node = { kind: 'pw-node' as const, id: '50', name: 'hilt-tk', ownerPid: ok.target.pid, ownerAlive: false };
    expect(check({ ...ok, notBaseline: [node] }, 'back-to-baseline')?.verdict).toBe('fail');
  });
});

describe('the diagnosis names the bug switch', () => {
  it('gil-null: the fatal GIL abort of seed 002, and the death', () => {
    expect(judgeThreadedInit(recorded('gil-null')).diagnosis).toMatch(
      new RegExp(
        '^fatal: Fatal Python error: PyEval_RestoreThread: .*\\(the current Python thread state is NULL\\) during MIDI start-up\\. ' +
          'The app died SIGABRT .*\\(gil-null: a thread-state misuse re-entered from the Start button callback',
      ),
    );
  });

  it('init-on-callback-thread: the audio thread held until MIDI was up; on a silent server, a stall in jack_client_open', () => {
    expect(judgeThreadedInit(recorded('engine-blocked')).diagnosis).toMatch(
      new RegExp(
        "^blocked: the request held the engine's audio thread [\\d.]+ ms, until MIDI was up: " +
          '.*\\(init-on-callback-thread: MIDI start-up ran inline on the audio thread',
      ),
    );
    const stall = judgeThreadedInit(recorded('engine-stall')).diagnosis;
    expect(stall).toMatch(/^stall: the engine's audio thread was blocked in MIDI start-up for at least 6000 ms and never got back/);
    expect(stall).toMatch(
      /stacks: hilt-audio in jack_client_open \(<- MidiOutJack::connect <- hilt::openJackOut <- hilt::MidiLink::open\)/,
    );
    expect(stall).toMatch(/\(init-on-callback-thread: MIDI start-up ran inline on the audio thread, with no timeout;/);
  });

  it('mode direct (not a switch, the unfixed app): the frozen Tk loop, where it waits', () => {
    const said = judgeThreadedInit(recorded('tk-direct-silent')).diagnosis;
    expect(said).toMatch(/^stall: the Tk event loop was blocked in MIDI start-up for at least \d+ ms and never got back/);
    expect(said).toMatch(/main thread in \w+ \(pw_thread_loop_wait\).*mode direct: MIDI initialised inside the Start button callback/);
  });

  it('the fixed runs have none', () => {
    for (const name of ['tk-pass', 'tk-silent', 'engine-pass']) expect(judgeThreadedInit(recorded(name)).diagnosis).toBeUndefined();
  });
});
