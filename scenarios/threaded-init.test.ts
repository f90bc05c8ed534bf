// threaded-init and midi-orphans through the real CLI: the real Tk app on a private Xvfb display
// pressed with real X clicks, the real engine, real JACK MIDI through the rig's pipewire-jack.
// The fixed paths pass; each bug mode fails with its signature in the diagnosis.
import { describe, expect, test } from 'vitest';
import { check, runCli } from './run-cli.ts';

describe('threaded-init: the Tk app', () => {
  test('deferred (the fix): MIDI connected, the GUI keeps beating, note on/off and sysex echo, clean exit, ports gone', async () => {
    const r = await runCli(['threaded-init', '--set', 'app=tk', '--set', 'mode=deferred']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    const s = r.summary!;
    expect(s.target).toBe('tk-midi-app');
    expect(s.metrics.init_ms).toBeGreaterThan(0);
    expect(s.metrics.gui_max_gap_ms).toBeLessThanOrEqual(250);
    expect(s.metrics.midi_roundtrip_ms).toBeGreaterThan(0);
    expect(check(s, 'status-shown')?.measured).toMatch(/^hilt-tk-midi: MIDI connected \(hilt-tk-\d+:in, hilt-tk-\d+-out:out\)$/);
    for (const m of ['note on', 'note off', 'sysex']) expect(check(s, 'midi-round-trip', m)?.verdict).toBe('pass');
    expect(check(s, 'midi-ports-gone')?.message).toMatch(/^2 port\(s\) gone/);
  });

  test(
    'deferred against a MIDI server that never answers: ' +
      'simulation mode after the 5 s timeout, shown to the user, the GUI never stalls',
    async () => {
      const r = await runCli(['threaded-init', '--set', 'midi=silent']);
      expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
      const s = r.summary!;
      expect(s.metrics.init_ms).toBeGreaterThanOrEqual(5000);
      expect(s.metrics.init_ms).toBeLessThanOrEqual(6000);
      expect(s.metrics.gui_max_gap_ms).toBeLessThanOrEqual(250);
      expect(check(s, 'status-shown')?.measured).toMatch(/SIMULATION MODE \(MIDI init timed out after 5\.0 s\)/);
    },
  );

  test('no MIDI server at all: simulation mode at once, with the reason', async () => {
    const r = await runCli(['threaded-init', '--set', 'midi=absent']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    expect(check(r.summary, 'simulation-mode')?.message).toMatch(/JACK server not running/);
  });

  test('--bug gil-null: the fatal GIL abort of seed 002 is caught and named', async () => {
    const r = await runCli(['threaded-init', '--bug', 'gil-null']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const s = r.summary!;
    expect(s.diagnosis).toMatch(
      new RegExp(
        '^fatal: Fatal Python error: PyEval_RestoreThread: the function must be called with the GIL held, ' +
          '.*\\(the current Python thread state is NULL\\)',
      ),
    );
    expect(s.diagnosis).toMatch(/died SIGABRT .*\(gil-null: a thread-state misuse re-entered from the Start button callback/);
    expect(check(s, 'no-fatal-signature')?.verdict).toBe('fail');
    expect(check(s, 'clean-exit')?.measured).toBe('SIGABRT');
    expect(check(s, 'back-to-baseline')?.verdict).toBe('pass');
  });

  test('mode direct against a silent server: the frozen GUI is caught as a stall with stacks, and the app is killed', async () => {
    const r = await runCli(['threaded-init', '--set', 'mode=direct', '--set', 'midi=silent']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const s = r.summary!;
    expect(s.diagnosis).toMatch(/^stall: the Tk event loop was blocked in MIDI start-up for at least \d+ ms and never got back/);
    expect(s.diagnosis).toMatch(/main thread in \w+ \(pw_thread_loop_wait\)/);
    expect(s.diagnosis).toMatch(/mode direct: MIDI initialised inside the Start button callback/);
    expect(s.metrics.gui_max_gap_ms).toBeGreaterThan(5000);
    expect(check(s, 'no-hang', 'MIDI start-up from the Start button')?.verdict).toBe('fail');
    expect(s.evidence.map((e) => e.name)).toContain('stacks-midi-start-up-from-the-start-button');
  });
});

describe('threaded-init: the engine', () => {
  test('MIDI asked from the audio thread: handed off at once, connected, echoing, the audio thread keeps beating', async () => {
    const r = await runCli(['threaded-init', '--set', 'app=engine', '--set', 'thread=audio']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    const s = r.summary!;
    expect(s.target).toBe('hilt-engine');
    expect(s.metrics.request_ms).toBeLessThan(s.metrics.init_ms!);
    expect(s.metrics.gui_max_gap_ms).toBeLessThanOrEqual(250);
    expect(check(s, 'handed-off')?.verdict).toBe('pass');
    for (const m of ['note on', 'note off', 'sysex']) expect(check(s, 'midi-round-trip', m)?.verdict).toBe('pass');
  });

  test(
    'a silent MIDI server, asked from the main thread: ' +
      'simulation mode at the 5 s timeout, clean exit with the init thread still stuck',
    async () => {
      const r = await runCli(['threaded-init', '--set', 'app=engine', '--set', 'thread=main', '--set', 'midi=silent']);
      expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
      const s = r.summary!;
      expect(s.metrics.init_ms).toBeGreaterThanOrEqual(5000);
      expect(check(s, 'simulation-mode')?.message).toMatch(/^reason: MIDI init timed out after 5000 ms/);
      expect(check(s, 'clean-exit')?.verdict).toBe('pass');
    },
  );

  test('--bug init-on-callback-thread: the audio thread held until MIDI is up is caught, even when the server answers', async () => {
    const r = await runCli(['threaded-init', '--set', 'app=engine', '--bug', 'init-on-callback-thread']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const s = r.summary!;
    expect(s.diagnosis).toMatch(
      new RegExp(
        "^blocked: the request held the engine's audio thread [\\d.]+ ms, until MIDI was up: " +
          '.*\\(init-on-callback-thread: MIDI start-up ran inline on the audio thread',
      ),
    );
    expect(check(s, 'handed-off')?.verdict).toBe('fail');
  });

  test("--bug init-on-callback-thread on a silent server: a stall, with the audio thread's stack in jack_client_open", async () => {
    const r = await runCli(['threaded-init', '--set', 'app=engine', '--set', 'midi=silent', '--bug', 'init-on-callback-thread']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const s = r.summary!;
    expect(s.diagnosis).toMatch(/^stall: the engine's audio thread was blocked in MIDI start-up for at least \d+ ms and never got back/);
    expect(s.diagnosis).toMatch(
      /stacks: hilt-audio in jack_client_open \(<- MidiOutJack::connect <- hilt::openJackOut <- hilt::MidiLink::open\)/,
    );
    expect(s.diagnosis).toMatch(/init-on-callback-thread/);
    expect(check(s, 'keeps-running')?.verdict).toBe('fail');
  });
});

describe('midi-orphans', () => {
  test('the engine, SIGKILLed with its ports open and connected: its ports are gone at once', async () => {
    const r = await runCli(['midi-orphans', '--set', 'app=engine']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
    expect(r.summary!.metrics.ports_gone_ms).toBeLessThan(2000);
  });

  test('the Tk app, SIGKILLed with its ports open: its ports are gone', async () => {
    const r = await runCli(['midi-orphans', '--set', 'app=tk']);
    expect(r.summary?.verdict, r.stdout + r.stderr).toBe('pass');
  });

  test('--bug fork-keeps-midi: ports held by a forked child are caught and named, and hilt kills the child afterwards', async () => {
    const r = await runCli(['midi-orphans', '--bug', 'fork-keeps-midi']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const s = r.summary!;
    expect(s.diagnosis).toMatch(
      /^orphan MIDI ports: 2 port\(s\) of the SIGKILLed hilt-engine \(pid (\d+), dead\) are still on the MIDI server 2000 ms later/,
    );
    expect(s.diagnosis).toMatch(/still running with the app's name: hilt-engine-for\[\d+\].*\(fork-keeps-midi\)/);
    expect(check(s, 'midi-ports-gone')?.verdict).toBe('fail');
    expect(s.evidence.map((e) => e.name)).toContain('hilt-cleanup');
    const pid = Number(/pid (\d+), dead/.exec(s.diagnosis)![1]);
    expect(pid).toBeGreaterThan(0);
  });
});
