// The black-box judge on observations recorded from real runs (fixtures/recorded/observations/,
// each the observation.json of a `pnpm scenario` run): every check passes on one and fails on
// another, and the diagnosis puts the most telling failure first. Where no real run failed a
// check, the test changes the one field that check reads, and says so.
import { describe, expect, it } from 'vitest';
import { judgeBlackBox, type BlackBoxObservation } from './blackbox.ts';
import { recordings } from './recorded.ts';

const { recorded, failedIds, check, find } = recordings<BlackBoxObservation>('blackbox', judgeBlackBox);

describe('judgeBlackBox on real runs: the verdicts those runs had', () => {
  it.each([
    ['sox-play-kill9', []], // Debian's sox `play` SIGKILLed: its stream goes with it
    ['pw-loopback-crash', []], // pw-loopback sent SIGABRT from outside: death by it is the expected end
    ['pactl-null-sink-kill9', ['no-orphans']], // a module loaded by pactl outlives its loader
    ['dbus-daemon-fork-kill9', ['exit', 'no-escaped-process']], // dbus-daemon --fork: the parent exits 0, the daemon escapes
    // sh starts play by `setsid env -i`, then is SIGKILLed: play plays on, found by its cgroup (and the tree seen while it ran)
    ['setsid-env-i-kill9', ['no-escaped-process', 'no-orphans', 'victim-heard-after']],
    ['engine-stop-nosig', ['exit']], // the reference engine without its SIGTERM handler dies of it
    ['fluidsynth-midi-orphans', []], // FluidSynth's JACK MIDI port goes with it
    // FluidSynth daemonized by setsid -f: its port, its process and its objects outlive the shell
    ['fluidsynth-daemon-midi-orphans', ['midi-ports-gone', 'no-escaped-process', 'no-orphans']],
    ['addon-exit-static', ['exit', 'no-orphans', 'victim-heard-after']], // a crash after "done": taps left, victim muted
    // hilt under Windows's Node (Wine), the WASAPI rig, whose sessions cannot be listed there (E_NOTIMPL):
    ['win-cmd-kill9-wasapi', []], // Wine's cmd.exe TerminateProcess'd: its job ends it, no process, so no session left
    // the Windows engine's helper started with CREATE_BREAKAWAY_FROM_JOB outlives it: its process, so maybe its streams
    ['win-engine-helper-outlives-kill9-wasapi', ['no-escaped-process', 'no-orphans']],
  ])('%s fails %j', (name, ids) => {
    expect(failedIds(recorded(name))).toEqual(ids);
    expect(judgeBlackBox(recorded(name)).diagnosis === undefined).toBe(ids.length === 0);
  });
});

describe('each check, pass and fail', () => {
  const sox = recorded('sox-play-kill9');

  it('plays-audio: asked only of a program whose config says it plays; fails when no stream of it was seen', () => {
    expect(check(sox, 'plays-audio')).toMatchObject({ verdict: 'pass', message: 'playing: SoX, SoX' });
    expect(check({ ...sox, playing: [] }, 'plays-audio')).toMatchObject({ verdict: 'fail', measured: 0 });
    expect(find({ ...sox, target: { ...sox.target, plays: false } }, 'plays-audio')).toBeUndefined();
  });

  it('exit: against what counts as clean for the fault', () => {
    expect(check(sox, 'exit')).toMatchObject({ verdict: 'pass', measured: 'SIGKILL' });
    expect(check(recorded('dbus-daemon-fork-kill9'), 'exit')).toMatchObject({
      verdict: 'fail',
      message: 'exit 0 (exited successfully); a clean end is SIGKILL',
    });
  });

  it('exit-deadline: the fault to the process gone (changed: exitMs past the deadline)', () => {
    expect(check(sox, 'exit-deadline')?.verdict).toBe('pass');
    expect(check({ ...sox, exitMs: 1500 }, 'exit-deadline')).toMatchObject({ verdict: 'fail', measured: 1500, limit: 1000 });
  });

  it('no-escaped-process: names each process still carrying its marker, with its parent', () => {
    expect(check(sox, 'no-escaped-process')?.verdict).toBe('pass');
    expect(check(recorded('dbus-daemon-fork-kill9'), 'no-escaped-process')?.message).toMatch(
      /^still running after dbus-daemon-fork \(pid \d+\) ended: dbus-daemon\[\d+\] \(parent 1\)$/,
    );
    // Recorded with containment: which detectors found it, its command line, how it got away.
    expect(check(recorded('setsid-env-i-kill9'), 'no-escaped-process')?.message).toMatch(
      new RegExp(
        '^still running after setsid-env-i \\(pid \\d+\\) ended: play\\[\\d+\\] `play -q -n synth 600 sine 770 vol 0.5` ' +
          '\\(found by its group, tree; environment cleared \\(no HILT_TARGET_MARK\\), ' +
          'a session of its own \\(\\d+\\), reparented to init\\)$',
      ),
    );
  });

  it("no-orphans: one sentence per leftover, a module's sink folded into the module's", () => {
    expect(check(sox, 'no-orphans')?.verdict).toBe('pass');
    const c = check(recorded('pactl-null-sink-kill9'), 'no-orphans')!;
    expect(c.verdict).toBe('fail');
    expect(c.message).toMatch(
      new RegExp(
        '^orphan: pulse module module-null-sink sink_name=app-nullsink-(\\d+) .* ' +
          'with its pulse-sink app-nullsink-\\1 and pw-node app-nullsink-\\1 still there 2000 ms after SIGKILL$',
      ),
    );
    expect(c.message.match(/orphan: /g)).toHaveLength(1);
  });

  it('no-files-left (changed: a /dev/shm entry left)', () => {
    expect(check(sox, 'no-files-left')?.verdict).toBe('pass');
    expect(check({ ...sox, files: ['/dev/shm/sox-play-1'] }, 'no-files-left')?.message).toBe(
      'files left after SIGKILL: /dev/shm/sox-play-1',
    );
  });

  it('victim-heard-after: the tone back within resume_ms; never heard is a fail that says so', () => {
    expect(check(sox, 'victim-heard-after')?.verdict).toBe('pass');
    expect(check(recorded('addon-exit-static'), 'victim-heard-after')?.message).toMatch(/did not happen within the 1000 ms deadline/);
  });

  it('no-crash-signature: not asked when the crash is the fault; fails on a signature (changed: one in its output)', () => {
    expect(check(sox, 'no-crash-signature')?.verdict).toBe('pass');
    expect(find(recorded('pw-loopback-crash'), 'no-crash-signature')).toBeUndefined();
    expect(check({ ...sox, signatures: ['AddressSanitizer: heap-use-after-free'] }, 'no-crash-signature')).toMatchObject({
      verdict: 'fail',
      measured: 'AddressSanitizer: heap-use-after-free',
    });
  });
});

describe('the diagnosis', () => {
  it('what it left first; a crash first when it crashed unasked; the bug switch and the hang said', () => {
    expect(judgeBlackBox(recorded('dbus-daemon-fork-kill9')).diagnosis).toMatch(
      /^dbus-daemon-fork \(pid \d+\) after SIGKILL: still running after .*; exit 0 \(exited successfully\); a clean end is SIGKILL$/,
    );
    expect(judgeBlackBox(recorded('addon-exit-static')).diagnosis).toMatch(
      new RegExp(
        '^hilt-engine-addon-exits \\(pid \\d+\\) after its own end: SIGSEGV .*; a clean end is 3; orphan: .* ' +
          '\\(run with bug switch static-registry-after-exit\\)$',
      ),
    );
    const hung = { ...recorded('engine-stop-nosig'), hang: 'main thread in poll()' };
    expect(judgeBlackBox(hung).diagnosis).toMatch(/\(run with bug switch no-signal-handlers\) Hang: main thread in poll\(\)$/);
  });

  it('has-midi-ports and midi-ports-gone (midi-orphans): its ports before the kill, and after it', () => {
    const synth = recorded('fluidsynth-midi-orphans');
    const daemon = recorded('fluidsynth-daemon-midi-orphans');
    expect(check(synth, 'has-midi-ports')).toMatchObject({ verdict: 'pass', message: 'app-synth:midi_00' });
    expect(check(synth, 'midi-ports-gone')?.message).toMatch(/^1 port\(s\) gone \d+ ms after SIGKILL$/);
    expect(check(daemon, 'midi-ports-gone')?.message).toBe('MIDI port(s) still on the server 2000 ms after SIGKILL: app-synthd:midi_00');
    expect(judgeBlackBox(daemon).diagnosis).toMatch(/after SIGKILL: MIDI port\(s\) still on the server .*app-synthd:midi_00/);
    // A program with no MIDI port (changed: none of its own among what the server listed) says the scenario does not apply.
    const none = { ...synth, midi: { ...synth.midi!, before: [], listed: ['hilt-probe:in'] } };
    expect(check(none, 'has-midi-ports')?.message).toBe('no MIDI port of its process tree or named like it among: hilt-probe:in');
    expect(find(recorded('sox-play-kill9'), 'has-midi-ports')).toBeUndefined(); // asked only by midi-orphans
  });
});

describe('on a rig that cannot list its objects (WASAPI sessions under Wine, recorded)', () => {
  it('no-orphans is judged by process, saying why the sessions cannot be listed; the process that stayed leads', () => {
    const o = recorded('win-engine-helper-outlives-kill9-wasapi');
    expect(check(o, 'no-orphans').message).toMatch(
      /^its 1 process\(es\) still running may hold streams \(a WASAPI session ends with its process; .*E_NOTIMPL\)$/,
    );
    expect(check(o, 'no-escaped-process').message).toMatch(/hilt-engine-win\.exe\[\d+\] .*--helper.* broke away from its job/);
    expect(judgeBlackBox(o).diagnosis).toMatch(/^hilt-engine-win \(pid \d+\) after SIGKILL: still running after hilt-engine-win/);
    expect(check(recorded('win-cmd-kill9-wasapi'), 'no-orphans').message).toMatch(/^no audio session of it can be left: none of its/);
  });
  it("'plays' is its own sound heard on the output; not heard fails", () => {
    const o = recorded('win-engine-helper-outlives-kill9-wasapi');
    expect(check(o, 'plays-audio')).toMatchObject({ verdict: 'pass', measured: 'heard' });
    const silent = { ...o, unlisted: { ...o.unlisted!, heardPlaying: false } };
    expect(check(silent, 'plays-audio')).toMatchObject({ verdict: 'fail', measured: 'not heard' });
  });
});
