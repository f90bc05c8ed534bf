// The scenario catalogue: what `pnpm scenario --list` prints and which file each name runs.
import { resolve } from 'node:path';
import { HiltError } from '../harness/errors.ts';
import { DEFAULT_TARGET, ROOT } from '../harness/target/config.ts';

export interface ScenarioEntry {
  name: string;
  file: string; // relative to the project root
  summary: string;
  bugs: string[]; // bug switches under which this scenario must fail
  target?: string; // its default target config, relative to the root (else the engine)
  // A scenario that drives several kinds of app picks the config by a --set parameter.
  targetBy?: { param: string; default: string; targets: Record<string, string> };
}

export const SCENARIOS: ScenarioEntry[] = [
  {
    name: 'kill9',
    file: 'scenarios/kill9.scenario.ts',
    summary: 'SIGKILL an engine that taps a victim; its guardian (or the next launch\'s sweep) removes the orphan taps; audio resumes (FineTune, seed 003)',
    bugs: ['no-guardian,no-sweep'],
  },
  {
    name: 'crash',
    file: 'scenarios/crash.scenario.ts',
    summary: 'a real crash (--set signal=segv|abrt|bus|trap|ill|fpe thread=main|audio|worker point=steady|teardown); the crash guard destroys the taps; audio resumes with no relaunch',
    bugs: ['no-crashguard', 'destroy-before-untrack'],
  },
  {
    name: 'sigterm',
    file: 'scenarios/sigterm.scenario.ts',
    summary: 'SIGTERM: clean exit 0 within the stop deadline, taps destroyed by the engine, audio resumes',
    bugs: ['no-signal-handlers'],
  },
  {
    name: 'sigint',
    file: 'scenarios/sigint.scenario.ts',
    summary: 'SIGINT (Ctrl-C): clean exit 0 within the stop deadline, taps destroyed by the engine, audio resumes',
    bugs: ['no-signal-handlers'],
  },
  {
    name: 'multi-app',
    file: 'scenarios/multi-app.scenario.ts',
    summary: 'three victims tapped at once, each with a primary and a secondary tap; SIGKILL; all six taps gone and all three tones back with no relaunch',
    bugs: ['no-guardian'],
  },
  {
    name: 'kill-during-registration',
    file: 'scenarios/kill-during-registration.scenario.ts',
    summary: 'SIGKILL at seeded points of start-up (before create, after create, after track); after each, a relaunch must bring the inventory back to baseline (muesli #387)',
    bugs: ['no-sweep'],
  },
  {
    name: 'gc-teardown',
    file: 'scenarios/gc-teardown.scenario.ts',
    summary: 'a Node process creates, starts, drops and garbage-collects engines with audio flowing (--set count=N); each is stopped and joined before it is freed (numchuck, seed 000)',
    bugs: ['gc-free-while-running'],
    target: 'fixtures/targets/addon-gc.json',
  },
  {
    name: 'exit-with-live-engines',
    file: 'scenarios/exit-with-live-engines.scenario.ts',
    summary: 'a Node program ends with engines running (--set how=normal,exit,throw): no crash, no hang, every tap destroyed (numchuck\'s exit 139 after all tests passed, seed 000)',
    bugs: ['no-cleanup-hook', 'static-registry-after-exit'],
    target: 'fixtures/targets/addon-live.json',
  },
  {
    name: 'worker-teardown',
    file: 'scenarios/worker-teardown.scenario.ts',
    summary: 'engines inside a worker thread that ends (--set how=terminate,normal,exit,throw) while the process lives on: every engine stopped with the worker, threads back to baseline',
    bugs: ['no-cleanup-hook'],
    target: 'fixtures/targets/addon-live.json',
  },
  {
    name: 'kernel-stop',
    file: 'scenarios/kernel-stop.scenario.ts',
    summary: 'a kernel whose channel threads poll their sockets, idle clients connected: the stop call returns and the process exits within their deadlines; no thread, connection, port or connection file left (Max kernel, seed 001)',
    bugs: ['blocking-poll', 'leak-on-stop'],
    target: 'fixtures/targets/kernel.json',
  },
  {
    name: 'kernel-cycles',
    file: 'scenarios/kernel-cycles.scenario.ts',
    summary: 'the kernel started and stopped again and again in one process (--set cycles=N): every stop on time, threads and descriptors back to baseline after each',
    bugs: ['blocking-poll', 'leak-on-stop'],
    target: 'fixtures/targets/kernel.json',
  },
  {
    name: 'threaded-init',
    file: 'scenarios/threaded-init.scenario.ts',
    summary: 'MIDI initialised from a GUI callback (--set app=tk|engine mode=direct|deferred midi=rig|absent|silent): no fatal GIL abort, the GUI/audio heartbeat never stalls, MIDI connected (or simulation mode within 5 s) and echoing, clean exit (rtmidi in Tkinter, seed 002)',
    bugs: ['gil-null', 'init-on-callback-thread'],
    targetBy: { param: 'app', default: 'tk', targets: { tk: 'fixtures/targets/tk-midi-app.json', engine: 'fixtures/targets/engine.json' } },
  },
  {
    name: 'midi-orphans',
    file: 'scenarios/midi-orphans.scenario.ts',
    summary: 'SIGKILL a target with its MIDI ports open and a probe connected: its ports and JACK clients are gone from the server (--set app=tk|engine)',
    bugs: ['fork-keeps-midi'],
    targetBy: { param: 'app', default: 'engine', targets: { tk: 'fixtures/targets/tk-midi-app.json', engine: 'fixtures/targets/engine.json' } },
  },
];

// The target config a run uses when --target is not given (an absolute path).
export function defaultTarget(entry: ScenarioEntry, set: Record<string, string>): string {
  if (entry.targetBy) {
    const value = set[entry.targetBy.param] ?? entry.targetBy.default;
    const file = entry.targetBy.targets[value];
    if (!file) {
      throw new HiltError('USAGE', `--set ${entry.targetBy.param}=${value} is not known to ${entry.name} (known: ${Object.keys(entry.targetBy.targets).join(', ')})`);
    }
    return resolve(ROOT, file);
  }
  return entry.target ? resolve(ROOT, entry.target) : DEFAULT_TARGET;
}

export const findScenario = (name: string): ScenarioEntry | undefined => SCENARIOS.find((s) => s.name === name);
