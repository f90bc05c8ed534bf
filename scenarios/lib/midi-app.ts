// The two apps whose MIDI start-up hilt drives (seed 002): the Tk app, whose Start button is
// pressed with a real X click, and the reference engine, asked by a control line to start MIDI
// from its main, audio or worker thread. Both answer the same questions: when was MIDI asked
// for, what came of it and when, did the loop that asked keep beating, which ports are theirs.
import { execFileSync } from 'node:child_process';
import { HiltError } from '../../harness/errors.ts';
import { HeartbeatRecorder, monotonicMs } from '../../harness/check/heartbeat.ts';
import type { XDisplay } from '../../harness/gui/x-display.ts';
import type { ChildResult } from '../../harness/proc/child.ts';
import type { RunningTarget } from '../../harness/target/launch.ts';
import { watch, type Hang } from '../../harness/watchdog/watchdog.ts';
import type { MidiPorts, MidiProbe, RoundTrip } from '../../harness/midi/probe.ts';
import { now } from '../../harness/wait.ts';

export type InitResult = 'connected' | 'simulation' | 'failed' | 'exited' | 'hung';

export interface InitOutcome {
  result: InitResult;
  askedAt: number; // monotonic ms: the click, or the control line sent
  endedAt: number; // monotonic ms: the outcome line, the death, or the hang's detection
  initMs?: number; // as the app measured it (click or request to outcome)
  ports?: { in: string; out: string };
  reason?: string; // simulation mode's or the failure's reason
  hang?: Hang;
  exit?: ChildResult;
  // The engine: how long the asking thread was held by the request (undefined: never returned).
  requestMs?: number;
}

export interface MidiApp {
  readonly kind: 'tk' | 'engine';
  readonly target: RunningTarget;
  readonly heartbeat: HeartbeatRecorder;
  readonly where: string; // whose heartbeat is watched: "the Tk event loop", "the engine's audio thread"
  readonly clientPrefix: RegExp; // the app's JACK clients: "hilt-tk-123", "hilt-engine-123-out"
  startMidi(deadlineMs: number): Promise<InitOutcome>;
  statusShown(): Promise<string | undefined>; // what the user sees (the Tk window's title)
}

const OUTCOME_TK = /^midi (connected|simulation)\b/;
const OUTCOME_ENGINE = /\bmidi: (connected in|simulation mode after|init failed on)\b/;

// Debian's python3 with tkinter and rtmidi: without them the Tk app cannot run at all.
export function requirePythonTkRtmidi(python = '/usr/bin/python3'): void {
  try {
    execFileSync(python, ['-c', 'import tkinter, rtmidi'], { stdio: 'pipe', timeout: 10_000 });
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer };
    throw new HiltError('RIG_MISSING', "the Tk MIDI app needs Debian's python3 with tkinter and rtmidi", {
      expected: `${python} -c "import tkinter, rtmidi" to succeed`,
      seen: err.code === 'ENOENT' ? `${python} does not exist` : (err.stderr?.toString().trim().split('\n').pop() ?? String(e)),
      hint: 'sudo apt-get install -y python3 python3-tk python3-rtmidi   (or run: npm run setup)',
    });
  }
}

function field(line: string, name: string): string | undefined {
  return new RegExp(`\\b${name}=(\\S+)`).exec(line)?.[1];
}

async function outcomeOf(
  target: RunningTarget,
  answer: Promise<string>,
  what: string,
  deadlineMs: number,
  askedAt: number,
  parse: (line: string) => Omit<InitOutcome, 'askedAt' | 'endedAt'>,
): Promise<InitOutcome> {
  const w = await watch(target.child, answer, { what, softMs: deadlineMs });
  const endedAt = monotonicMs();
  if (w.outcome === 'done') return { askedAt, endedAt, ...parse(w.value) };
  if (w.outcome === 'exited') return { result: 'exited', askedAt, endedAt: askedAt + w.waitedMs, exit: w.exit };
  // The loop was still blocked when the watchdog acted: the stall ran until the soft deadline.
  return { result: 'hung', askedAt, endedAt: askedAt + deadlineMs, hang: w.hang };
}

export class TkApp implements MidiApp {
  readonly kind = 'tk';
  readonly where = 'the Tk event loop';
  readonly heartbeat: HeartbeatRecorder;
  readonly clientPrefix: RegExp;
  private readonly windowId: number;
  private readonly button: { x: number; y: number; w: number; h: number };

  constructor(
    readonly target: RunningTarget,
    readyLine: string,
    private readonly display: XDisplay,
  ) {
    this.heartbeat = new HeartbeatRecorder(target.child);
    this.clientPrefix = new RegExp(`^hilt-tk-${target.pid}(-out)?(-\\d+)?:`); // the server may add "-NN" to a taken name
    const m = /window=(\d+) button=(\d+),(\d+),(\d+),(\d+)/.exec(readyLine);
    if (!m)
      throw new HiltError('TARGET_NOT_READY', "the Tk app's ready line has no window and button", {
        expected: 'ready window=<id> button=<x>,<y>,<w>,<h>',
        seen: readyLine,
      });
    this.windowId = Number(m[1]);
    this.button = { x: Number(m[2]), y: Number(m[3]), w: Number(m[4]), h: Number(m[5]) };
  }

  // A real press on the Start button; the app's "click" line proves the callback ran.
  async startMidi(deadlineMs: number): Promise<InitOutcome> {
    const child = this.target.child;
    const clicked = child.nextLine(/^click t=/);
    const answer = child.nextLine(OUTCOME_TK);
    const askedAt = monotonicMs();
    await this.display.click(this.button.x + this.button.w / 2, this.button.y + this.button.h / 2);
    const click = await watch(child, clicked, { what: 'Start button callback', softMs: 3000, stacks: false });
    if (click.outcome === 'hung') {
      throw new HiltError('TARGET_NOT_READY', 'the Tk app did not react to a click on its Start button', {
        expected: 'a "click" line within 3000 ms of the X button press',
        seen: child.outputTail(10),
        hint: "is the window mapped on hilt's display? see the app log",
      });
    }
    const clickAt = click.outcome === 'done' ? Number(field(click.value, 't')) : askedAt;
    const outcome = await outcomeOf(this.target, answer, 'MIDI start-up from the Start button', deadlineMs, clickAt, (line) => ({
      result: line.startsWith('midi connected') ? 'connected' : 'simulation',
      initMs: Number(field(line, 'init_ms')),
      ports: line.startsWith('midi connected') ? { in: field(line, 'in')!, out: field(line, 'out')! } : undefined,
      reason: / reason=(.*?) init_ms=/.exec(line)?.[1],
    }));
    return outcome;
  }

  async statusShown(): Promise<string | undefined> {
    if (this.target.child.done) return undefined;
    return this.display.windowName(this.windowId);
  }
}

export class EngineApp implements MidiApp {
  readonly kind = 'engine';
  readonly heartbeat: HeartbeatRecorder;
  readonly clientPrefix: RegExp;
  readonly where: string;

  constructor(
    readonly target: RunningTarget,
    private readonly thread: string,
  ) {
    this.heartbeat = new HeartbeatRecorder(target.child, 'audio');
    this.clientPrefix = new RegExp(`^hilt-engine-${target.pid}(-out)?(-\\d+)?:`); // "-NN": its tap sink took the plain name
    this.where = "the engine's audio thread"; // the heartbeat's thread; the request's own thread has its hand-off check
  }

  async startMidi(deadlineMs: number): Promise<InitOutcome> {
    const child = this.target.child;
    const answer = child.nextLine(OUTCOME_ENGINE);
    let requestMs: number | undefined;
    const returned = child.nextLine(/\bmidi: request returned on the \w+ thread in ([\d.]+) ms/);
    void returned.then((l) => (requestMs = Number(/in ([\d.]+) ms/.exec(l)![1])));
    const askedAt = monotonicMs();
    // The target's own "midi-start" control when its config has one (the engine's does).
    const send = (this.target.spec.controls['midi-start']?.send ?? 'midi-start ${thread}').replace('${thread}', this.thread);
    child.stdin?.write(send + '\n');
    const outcome = await outcomeOf(
      this.target,
      answer,
      `MIDI start-up asked from the ${this.thread} thread`,
      deadlineMs,
      askedAt,
      (line) => {
        if (/midi: connected in/.test(line)) {
          return {
            result: 'connected',
            initMs: Number(/connected in ([\d.]+) ms/.exec(line)?.[1]),
            ports: { in: field(line, 'in')!, out: field(line, 'out')! },
          };
        }
        if (/simulation mode after/.test(line)) {
          return { result: 'simulation', initMs: Number(/after ([\d.]+) ms/.exec(line)?.[1]), reason: /\((.*)\)\s*$/.exec(line)?.[1] };
        }
        return { result: 'failed', reason: /init failed on the \w+ thread: (.*)$/.exec(line)?.[1] };
      },
    );
    // The request line lands within a moment of the outcome when it returns at all.
    await Promise.race([returned, new Promise((r) => setTimeout(r, outcome.result === 'hung' ? 0 : 200))]);
    return { ...outcome, requestMs };
  }

  async statusShown(): Promise<string | undefined> {
    return undefined; // no window: the log lines are what it shows
  }
}

// The app's ports among everything the MIDI server lists.
export const appPorts = (ports: MidiPorts, clientPrefix: RegExp): string[] =>
  [...new Set([...ports.readable, ...ports.writable])].filter((p) => clientPrefix.test(p));

// A fresh connection carries nothing for a moment (PipeWire links the ports after the connect
// returns): a note off to a note nobody plays, until one comes back. Returns the wait, or
// undefined when nothing ever echoed.
export async function echoReady(probe: MidiProbe, deadlineMs = 2000): Promise<number | undefined> {
  const t0 = now();
  while (now() - t0 < deadlineMs) {
    const rt = await probe.roundTrip([0x80, 0, 0], 200);
    if (rt.ok) return now() - t0;
  }
  return undefined;
}

// One message through the app and back; a single loss is retried (PipeWire's JACK MIDI drops
// about 0.5 % of messages, with or without an app in the path) and said in the result.
export async function roundTripOnce(probe: MidiProbe, bytes: number[], timeoutMs: number): Promise<RoundTrip & { retried: boolean }> {
  const first = await probe.roundTrip(bytes, timeoutMs);
  if (first.ok) return { ...first, retried: false };
  return { ...(await probe.roundTrip(bytes, timeoutMs)), retried: true };
}
