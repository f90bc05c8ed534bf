// The scenario catalogue: every scenario declared once. `pnpm scenario --list` prints it, the CLI
// checks --set, --bug and the target against it before anything starts, and each body file finds
// its own entry here (defineScenario(SCENARIOS.kill9, ...)). Adding a scenario: one entry, one file.
import { count, flag, ms, word, words, type ParamSpec, type ScenarioManifest } from '../harness/scenario/manifest.ts';

// Parameters every scenario on the reference engine's steps reads (scenarios/lib/targets/reference-engine.ts).
const TAPPING: Record<string, ParamSpec> = {
  resume_ms: ms(1000, 'the victim must be heard again within this long after the fault'),
  tap_ms: ms(2000, "the victim's stream must be moved into one of the engine's taps within this long"),
};
const TAPPING_ENGINE = { traits: ['reference-engine', 'taps-victim'] } as const;
// Any program: the reference engine gets its own flow (each defence layer), a black box the generic one.
const ANY_PROGRAM = {} as const;
const ENGINE_OR_TK = { tk: 'fixtures/targets/tk-midi-app.json', engine: 'fixtures/targets/engine.json' };
const ENDINGS_PARAMS = (hows: string[]): Record<string, ParamSpec> => ({
  how: words(hows, hows, 'which ends to run, one after another'),
  engines: count(3, 'engines running when the end comes', 1, 64),
  end_ms: ms(2000, 'the end must be over (process or worker gone) within this long'),
  core: flag(true, 'let a crash leave a core and read it with gdb'),
});
const KERNEL_DEADLINES: Record<string, ParamSpec> = {
  stop_ms: ms(3000, 'the stop call must answer within this long'),
  exit_ms: ms(5000, 'the process must be gone within this long of the stop call'),
};

// Why a scenario does not run on Windows (hilt under Windows's Node), for its refusal there.
// The black boxes' default target on macOS: SoX's play, a program of the Mac's own (the engine is not built there).
const MAC_TARGET = 'fixtures/targets/mac-sox-play.json';
const NOT_YET = 'on Windows, run kill9, crash, stop, exit or gc-teardown (pnpm scenario --list)';
const NO_SIGNALS = (sig: string) => ({
  why: `${sig} sent from outside has no Windows meaning: Windows has no POSIX signals`,
  hint: "use stop (a line, stdin closed, Ctrl+Break to its console, WM_CLOSE to its window: the target's stop.method), or kill9",
});
const LINUX_ENGINE = { why: "it needs the reference engine's taps, which are PipeWire's (Linux)", hint: NOT_YET };
const LINUX_ADDON = { why: "its program is the reference engine's Node addon, built for Linux", hint: NOT_YET };

const list = [
  {
    name: 'kill9',
    macos: { target: MAC_TARGET },
    file: 'scenarios/kill9.scenario.ts',
    summary: "SIGKILL an engine that taps a victim; its guardian (or the next launch's sweep) removes the orphan taps; audio resumes",
    description:
      'SIGKILL the engine while it taps a victim: its guardian (or, failing that, ' +
      "the next launch's sweep) must destroy the orphan taps and the victim must be heard again.",
    postmortem: 'finetune-orphans',
    params: {
      ...TAPPING,
      scope: word(
        ['pid', 'group', 'tree'],
        'pid',
        "what the SIGKILL reaches: the process; its process group (the engine's guardian, in a session of its own, must " +
          "survive and clean at once; bug switch guardian-in-group); its whole cgroup (nothing survives: the next launch's sweep)",
      ),
      first: word(
        ['none', 'guardian'],
        'none',
        'what dies before the engine: nothing; its guardian (SIGKILLed first, as an OOM killer or a killall would): the engine ' +
          'must notice at once and start a new one tracking every tap, which then cleans after the SIGKILL (bug switch ' +
          'ignore-guardian-death)',
      ),
      notice_ms: ms(1000, "first=guardian: the engine must say what it did about its guardian's death within this long of it"),
    },
    needs: ANY_PROGRAM,
    bugs: ['no-guardian,no-sweep', 'ignore-guardian-death'],
    bugConflicts: [{ bug: 'no-guardian', param: 'first', value: 'guardian', why: 'with no guardian there is none to kill first' }],
    targetLimits: [
      {
        when: { traits: ['windows-engine'] },
        allow: { scope: ['pid', 'group'], first: ['none'] },
        why:
          "a Windows program under Wine gets no cgroup of its own (wineserver is the prefix's), so there is no tree to kill; " +
          'and the Windows engine has no guardian to kill first',
        hint: 'use --set scope=pid or --set scope=group, and leave --set first at none',
      },
      { when: { traits: ['reference-engine', 'taps-victim'] }, allow: {}, why: '', hint: '' },
      {
        when: 'otherwise',
        allow: { first: ['none'] },
        why: "a black box has no guardian hilt knows of: only the reference engine names its guardian's pid in its log",
        hint: 'leave --set first at none: a helper of a black box is killed with it by --set scope=group or scope=tree',
      },
    ],
    os: ['linux', 'darwin', 'win32'],
    windows: {
      target: 'fixtures/targets/win-engine.json',
      allow: { scope: ['pid', 'tree'] },
      why: "Windows has no process group to kill (its groups carry console events); scope=tree ends the target's whole job",
      hint: 'use --set scope=pid (TerminateProcess) or --set scope=tree (TerminateJobObject)',
    },
  },
  {
    name: 'crash',
    macos: { target: MAC_TARGET },
    file: 'scenarios/crash.scenario.ts',
    summary: 'a real crash on a chosen thread; the crash guard destroys the taps; audio resumes with no relaunch',
    description:
      'Crash the engine for real on a chosen thread while it taps a victim; the crash guard must destroy its taps before it dies, ' +
      'so audio resumes with no relaunch.',
    postmortem: 'finetune-orphans',
    params: {
      signal: word(
        ['segv', 'abrt', 'bus', 'trap', 'ill', 'fpe', 'stack-overflow', 'heap-corruption', 'terminate', 'crash-in-crash'],
        'segv',
        'the fault: null write, abort(), a SIGBUS page, int3, ud2, divide by zero; deep recursion, a heap overflow malloc aborts on, ' +
          'an exception escaping a worker, a second thread aborting while the crash guard runs',
      ),
      thread: word(['main', 'audio', 'worker'], 'main', 'the thread that faults'),
      point: word(['steady', 'teardown'], 'steady', 'steady: while tapping; teardown: inside the destroy of the crossfade tap'),
      core: flag(true, 'let the crash leave a core and read it with gdb (off: less load on a small machine)'),
      win_fault: word(
        ['av', 'stack-overflow', 'heap-corruption', 'fast-fail', 'breakpoint'],
        'av',
        'the Windows engine only: the exception it raises (0xC0000005, 0xC00000FD, 0xC0000374, 0xC0000409, 0x80000003)',
      ),
      ...TAPPING,
    },
    needs: ANY_PROGRAM,
    targetLimits: [
      {
        when: { traits: ['windows-engine'] },
        allow: { thread: ['main', 'audio'], point: ['steady'] },
        why: 'the Windows engine crashes on its main or render thread (--set thread=main|audio), steadily',
        hint: 'use --set thread=main or --set thread=audio (its render thread), and --set win_fault to pick the exception',
      },
      {
        when: { traits: ['reference-engine', 'taps-victim'], params: { signal: ['terminate'] } },
        allow: { thread: ['worker'], point: ['steady'] },
        why:
          "an exception escapes to std::terminate only from a worker's job: " +
          "on main the control loop is above it, on audio libpulse's C frames",
        hint: 'use --set signal=terminate --set thread=worker',
      },
      {
        when: { traits: ['reference-engine', 'taps-victim'], params: { signal: ['crash-in-crash'] } },
        allow: { point: ['steady'] },
        why: 'the second crash is timed against the first, made while tapping',
        hint: 'leave point at steady',
      },
      { when: { traits: ['reference-engine', 'taps-victim'] }, allow: {}, why: '', hint: '' },
      {
        when: 'otherwise',
        allow: { thread: ['main'], point: ['steady'], signal: ['segv', 'abrt', 'bus', 'trap', 'ill', 'fpe'] },
        why: "thread and point drive the reference engine's own crash; a black box is sent its crash signal from outside",
        hint: 'leave thread and point at their defaults: the crash signal is sent to the process from outside',
      },
    ],
    bugs: ['no-crashguard', 'destroy-before-untrack', 'no-altstack', 'guard-allocates', 'second-crash-kills', 'terminate-exits'],
    os: ['linux', 'darwin', 'win32'],
    windows: {
      target: 'fixtures/targets/win-engine.json',
      traits: ['windows-engine'],
      why:
        'on Windows only the Windows engine crashes, from inside (--set win_fault); ' +
        'a black box would be sent a POSIX signal, which Windows has not',
      hint: 'use --target fixtures/targets/win-engine.json, or kill9 or stop for a black box',
    },
  },
  {
    name: 'sigterm',
    macos: { target: MAC_TARGET },
    file: 'scenarios/sigterm.scenario.ts',
    summary: 'SIGTERM: clean exit 0 within the stop deadline, taps destroyed by the engine, audio resumes',
    description:
      'SIGTERM the engine while it taps a victim: clean exit 0 within the stop deadline, taps destroyed by the engine, audio resumes.',
    postmortem: 'finetune-orphans',
    params: TAPPING,
    needs: ANY_PROGRAM,
    bugs: ['no-signal-handlers'],
    windows: NO_SIGNALS('SIGTERM'),
  },
  {
    name: 'sigint',
    macos: { target: MAC_TARGET },
    file: 'scenarios/sigint.scenario.ts',
    summary: 'SIGINT (Ctrl-C): clean exit 0 within the stop deadline, taps destroyed by the engine, audio resumes',
    description:
      'SIGINT the engine while it taps a victim: clean exit 0 within the stop deadline, taps destroyed by the engine, audio resumes.',
    postmortem: 'finetune-orphans',
    params: TAPPING,
    needs: ANY_PROGRAM,
    bugs: ['no-signal-handlers'],
    windows: NO_SIGNALS('SIGINT'),
  },
  {
    name: 'stop',
    macos: { target: MAC_TARGET },
    file: 'scenarios/stop.scenario.ts',
    summary: 'any program: its configured stop, then exit within the deadline with a clean code; nothing left, victim audible',
    description:
      'Stop the target the way its config says (a signal, stdin closed, a line, a command): it must exit within its stop deadline ' +
      'with a code its config calls clean, leave no object on the server and no process running, and the victim must be heard. ' +
      'A stop that hangs gets stacks, then SIGTERM, then SIGKILL, and the checks still run.',
    postmortem: 'max-kernel-stop',
    params: { resume_ms: TAPPING.resume_ms! },
    needs: ANY_PROGRAM,
    bugs: ['no-signal-handlers'],
    stopsByConfig: true,
    os: ['linux', 'darwin', 'win32'],
    windows: { target: 'fixtures/targets/win-engine.json' },
  },
  {
    name: 'exit',
    macos: { target: 'fixtures/targets/mac-sox-exits.json' },
    file: 'scenarios/exit.scenario.ts',
    summary: 'any program that ends by itself: on time, with a clean code, nothing left, no crash signature after it finished',
    description:
      'Start the target and let it end by itself (a script, a test run): it must end within end_ms with a code its config calls ' +
      'clean, leave no object on the server and no process running, print no crash signature, and the victim must be heard.',
    postmortem: 'numchuck-gc-teardown',
    params: { end_ms: ms(10_000, 'it must have ended within this long of being ready'), resume_ms: TAPPING.resume_ms! },
    needs: ANY_PROGRAM,
    bugs: ['static-registry-after-exit'],
    target: 'fixtures/targets/addon-exits.json',
    os: ['linux', 'darwin', 'win32'],
    windows: { target: 'fixtures/targets/win-cmd.json' },
  },
  {
    name: 'multi-app',
    file: 'scenarios/multi-app.scenario.ts',
    summary: 'three victims tapped at once, primary and secondary taps; SIGKILL; all six taps gone, all three tones back, no relaunch',
    description:
      'Three victims tapped at once, each with a primary and a secondary tap; SIGKILL the engine; ' +
      'all six taps must be gone and all three tones back, with no relaunch.',
    postmortem: 'finetune-orphans',
    params: TAPPING,
    needs: TAPPING_ENGINE,
    bugs: ['no-guardian'],
    windows: LINUX_ENGINE,
  },
  {
    name: 'freeze',
    file: 'scenarios/freeze.scenario.ts',
    summary: 'the engine frozen while it taps a victim, then thawed: audio resumes, nothing duplicated, it lives on',
    description:
      'Freeze the engine (cgroup.freeze where it has a group, else SIGSTOP) for ms while it taps a victim, then thaw it ' +
      '(SIGCONT): the victim, silent while frozen, must be heard again within resume_ms, the engine must keep running, ' +
      'and its objects on the server must be the ones it had (a re-made tap beside the old one doubles the audio).',
    postmortem: 'finetune-orphans',
    params: { ...TAPPING, ms: ms(1000, 'how long the target stays frozen') },
    needs: ANY_PROGRAM,
    bugs: ['retap-on-thaw'],
    windows: { why: 'it freezes a cgroup (or sends SIGSTOP), which Windows has no counterpart of here yet', hint: NOT_YET },
  },
  {
    name: 'server-restart',
    file: 'scenarios/server-restart.scenario.ts',
    summary: 'the audio server restarts under the target: it resumes by itself (or exits where it should), nothing doubled',
    description:
      'Restart pipewire-pulse alone, then the whole stack (pipewire, wireplumber, pipewire-pulse), under a running target: ' +
      'each time it must resume by itself within resume_ms (its sound, or the victim through its taps made again, once) or ' +
      'exit where its config says it exits (expect.serverRestart); alive but silent fails. The server must hold what it ' +
      "held before. hilt's own rig only: it restarts the server every app of the session uses.",
    postmortem: 'finetune-orphans',
    params: {
      ...TAPPING,
      resume_ms: ms(3000, 'after the restart began, the target must be heard again (or be gone) within this long'),
      restart: words(['pulse', 'stack'], ['pulse', 'stack'], 'what restarts, one after another: pipewire-pulse alone, the whole stack'),
    },
    needs: ANY_PROGRAM,
    bugs: ['no-reconnect'],
    rigs: {
      allow: ['virtual'],
      why: "it restarts the audio server, and on --rig system that is the user's own session: every app on it would lose its audio",
      hint: 'run it on the virtual rig (leave --rig out)',
    },
    windows: { why: "it restarts the rig's own PipeWire, which only the Linux virtual rig has", hint: NOT_YET },
  },
  {
    name: 'kill-during-registration',
    file: 'scenarios/kill-during-registration.scenario.ts',
    summary: 'SIGKILL at seeded points of start-up; after each, a relaunch brings the inventory back to baseline',
    description:
      'SIGKILL the engine at seeded points of its start-up (before create, after create, after track); after each, ' +
      'a relaunch must leave the inventory at baseline.',
    postmortem: 'finetune-orphans',
    params: { iterations: count(9, 'kills, at points drawn from --seed (every point at least once from 3 up)', 1, 300) },
    needs: TAPPING_ENGINE,
    bugs: ['no-sweep'],
    windows: LINUX_ENGINE,
  },
  {
    name: 'gc-teardown',
    file: 'scenarios/gc-teardown.scenario.ts',
    summary: 'engines created, started, dropped and garbage-collected with audio flowing; each stopped and joined before it is freed',
    description:
      'A Node process creates, starts, drops and garbage-collects many engines with audio flowing; ' +
      'every engine must be stopped and joined before it is freed, and the process must exit cleanly.',
    postmortem: 'numchuck-gc-teardown',
    params: {
      count: count(20, 'engines created over the run', 1, 5000),
      batch: count(5, 'engines alive at once before they are dropped and collected', 1, 500),
      teardown_ms: ms(500, "p99 of an engine's teardown (stop requested to freed) must stay within this"),
    },
    needs: { traits: ['gc-churn-program'] },
    bugs: ['gc-free-while-running'],
    target: 'fixtures/targets/addon-gc.json',
    os: ['linux', 'darwin', 'win32'],
    windows: { target: 'fixtures/targets/win-engine-gc.json' },
  },
  {
    name: 'exit-with-live-engines',
    file: 'scenarios/exit-with-live-engines.scenario.ts',
    summary: 'a Node program ends with engines running: no crash, no hang, every tap destroyed (exit 139 after all tests passed)',
    description:
      'A Node program ends with engines still running (normal exit, process.exit(), an uncaught exception): no crash, no hang, ' +
      'every engine stopped and its tap destroyed, nothing left on the server.',
    postmortem: 'numchuck-gc-teardown',
    params: ENDINGS_PARAMS(['normal', 'exit', 'throw']),
    needs: { traits: ['live-engines-program'] },
    bugs: ['no-cleanup-hook', 'static-registry-after-exit'],
    target: 'fixtures/targets/addon-live.json',
    windows: LINUX_ADDON,
  },
  {
    name: 'worker-teardown',
    file: 'scenarios/worker-teardown.scenario.ts',
    summary: 'engines in a worker thread that ends while the process lives on: every engine stopped with the worker, threads back',
    description:
      'Engines run inside a worker thread that is terminated (or returns, exits, throws) while the process lives on: no crash, ' +
      'every engine stopped and its tap destroyed with the worker, threads back to baseline.',
    postmortem: 'numchuck-gc-teardown',
    params: ENDINGS_PARAMS(['terminate', 'normal', 'exit', 'throw']),
    needs: { traits: ['live-engines-program'] },
    bugs: ['no-cleanup-hook'],
    target: 'fixtures/targets/addon-live.json',
    windows: LINUX_ADDON,
  },
  {
    name: 'kernel-stop',
    file: 'scenarios/kernel-stop.scenario.ts',
    summary: 'a kernel whose threads poll their sockets: stop and exit within deadlines; no thread, connection, port or file left',
    description:
      'A kernel with channel threads polling their sockets, idle clients connected: the stop call returns within its deadline, ' +
      'the process exits within its deadline, and no thread, connection, port, connection file or orphan remains.',
    postmortem: 'max-kernel-stop',
    params: { ...KERNEL_DEADLINES, clients: count(2, 'idle clients connected to each channel', 0, 64) },
    needs: { traits: ['jupyter-kernel'], controls: ['start', 'stop'] },
    bugs: ['blocking-poll', 'leak-on-stop'],
    target: 'fixtures/targets/kernel.json',
    windows: { why: 'its Jupyter kernel runs on the Linux rig (ALSA MIDI, PipeWire)', hint: NOT_YET },
  },
  {
    name: 'kernel-cycles',
    file: 'scenarios/kernel-cycles.scenario.ts',
    summary: 'the kernel started and stopped again and again in one process: every stop on time, threads and descriptors back',
    description:
      'The kernel started and stopped again and again in one process, an idle client on every channel: every stop on time; ' +
      'threads, descriptors and the connection file back to where they were after each.',
    postmortem: 'max-kernel-stop',
    params: { cycles: count(10, 'start/stop cycles in one process', 1, 1000), ...KERNEL_DEADLINES },
    needs: { traits: ['jupyter-kernel'], controls: ['start', 'stop'] },
    bugs: ['blocking-poll', 'leak-on-stop'],
    target: 'fixtures/targets/kernel.json',
    windows: { why: 'its Jupyter kernel runs on the Linux rig (ALSA MIDI, PipeWire)', hint: NOT_YET },
  },
  {
    name: 'threaded-init',
    file: 'scenarios/threaded-init.scenario.ts',
    summary: 'MIDI initialised from a GUI callback: no fatal GIL abort, no stall, connected or simulation mode, echoing, clean exit',
    description:
      'MIDI started from a GUI button callback (Tk) or the audio thread (engine): no fatal GIL abort, ' +
      'the loop that asked keeps beating (gap <= 250 ms), MIDI connected or simulation mode within 5 s plus a margin, ' +
      'note on/off and sysex round-trip, clean exit, no MIDI port left.',
    postmortem: 'rtmidi-threaded-init',
    params: {
      app: word(['tk', 'engine'], 'tk', 'which app asks for MIDI: the Tk app (python-rtmidi) or the reference engine'),
      midi: word(['rig', 'absent', 'silent'], 'rig', "the MIDI server: the rig's, none, or one that accepts and never answers"),
      mode: word(['direct', 'deferred'], 'deferred', 'Tk app: init inside the callback (direct) or deferred to a worker (the fix)'),
      thread: word(['main', 'audio', 'worker'], 'audio', 'engine: the thread that asks for MIDI'),
      heartbeat_ms: ms(50, 'the beat of the loop that asked'),
      gap_ms: ms(250, 'the largest gap allowed between two beats'),
      connect_ms: ms(2000, 'MIDI connected within this long'),
      midi_timeout_ms: ms(5000, "the app's own init timeout before simulation mode"),
      margin_ms: ms(1000, 'simulation mode within the timeout plus this'),
    },
    needs: { traits: ['midi-init'] },
    bugs: ['gil-null', 'init-on-callback-thread'],
    targetBy: { param: 'app', targets: ENGINE_OR_TK },
    windows: { why: 'its MIDI probe is ALSA sequencer ports; WinMM is not probed yet', hint: NOT_YET },
  },
  {
    name: 'midi-orphans',
    file: 'scenarios/midi-orphans.scenario.ts',
    summary: 'SIGKILL a target with MIDI ports open and a probe connected: its ports and JACK clients are gone from the server',
    description:
      'SIGKILL an app with its MIDI ports open and a probe connected to them: its JACK clients and ports are gone from the server, ' +
      'and no process of it is left. Any program: its ports are found by owner (its process tree) or name (ready.midiPort, ' +
      'prefix, owns.patterns), and every black-box check runs too.',
    postmortem: 'finetune-orphans',
    params: {
      app: word(['tk', 'engine'], 'engine', 'which app opens MIDI ports when no --target is given: the Tk app or the reference engine'),
      gone_ms: ms(2000, 'its ports must be gone from the server within this long of the kill'),
      resume_ms: ms(1000, 'a black box: the victim must be heard within this long after the kill'),
    },
    needs: ANY_PROGRAM,
    bugs: ['fork-keeps-midi'],
    targetBy: { param: 'app', targets: ENGINE_OR_TK },
    windows: { why: 'MIDI ports are read from the ALSA sequencer; WinMM is not probed yet', hint: NOT_YET },
  },
] as const satisfies readonly ScenarioManifest[];

export type ScenarioName = (typeof list)[number]['name'];
export const SCENARIO_LIST: readonly ScenarioManifest[] = list;
export const SCENARIOS = Object.fromEntries(list.map((s) => [s.name, s as ScenarioManifest])) as Record<ScenarioName, ScenarioManifest>;
