// Knowing a target is ready, whichever way its config says: a line it prints, a file appearing,
// a TCP port accepting, a MIDI port of that name, an audio stream of its process on the server,
// or its sound on the observed output. Each with a deadline.
import { filesMatching } from '../inventory/files.ts';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import type { Child } from '../proc/child.ts';
import { now, pollUntil } from '../wait.ts';
import type { TargetSpec } from './config.ts';

// What readiness by `stream`, `midiPort` and `audio` asks of the rig (never of the target).
export interface ReadyProbes {
  hasStreamOf(pids: number[]): Promise<boolean>; // an audio stream of one of these processes?
  midiPortNames(): Promise<string[]>; // every MIDI port on the server now
  soundAfter(at: number, deadlineMs: number): Promise<boolean>; // sound besides the victim's, heard after `at`
  descendants(pid: number): Promise<number[]>;
}

export interface ReadyWay {
  what: string; // for messages: "a line matching /ready/", "a stream of pid 123 on the server"
  wait(child: Child, deadlineMs: number): Promise<boolean>; // false: not within the deadline
}

// A path, or a glob in its last part (Node 20 has no fs.glob): "out/*.pid".
export const fileAppeared = (pattern: string): boolean => filesMatching(pattern).length > 0;

const portAccepts = (port: number): Promise<boolean> =>
  new Promise((done) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), done(true)));
    s.once('error', () => (s.destroy(), done(false)));
  });

export function readyWay(spec: TargetSpec, opts: { readyLine?: RegExp; probes?: ReadyProbes }): ReadyWay {
  const r = spec.ready;
  const line = opts.readyLine ?? r.stdout;
  if (line) {
    return {
      what: `a line matching /${line.source}/`,
      wait: (child, ms) =>
        Promise.race([child.waitForLine(line).then(() => true), new Promise<boolean>((d) => setTimeout(() => d(false), ms).unref())]),
    };
  }
  const poll = (check: (child: Child) => Promise<boolean> | boolean) => (child: Child, ms: number) =>
    pollUntil(async () => (child.done ? true : await check(child)) || undefined, { deadlineMs: ms, intervalMs: 20 }).then(
      (p) => p.ok && !child.done,
    );
  if (r.file !== undefined) {
    const pattern = resolve(spec.cwd ?? process.cwd(), r.file);
    return { what: `a file matching ${pattern}`, wait: poll(() => fileAppeared(pattern)) };
  }
  if (r.port !== undefined) return { what: `TCP port ${r.port} accepting on 127.0.0.1`, wait: poll(() => portAccepts(r.port!)) };
  const probes = opts.probes;
  if (!probes) return { what: 'a rig to ask (readiness by stream, midiPort or audio needs one)', wait: async () => false };
  if (r.midiPort !== undefined) {
    const re = r.midiPort;
    return {
      what: `a MIDI port matching /${re.source}/ on the server`,
      wait: poll(async () => (await probes.midiPortNames()).some((n) => re.test(n))),
    };
  }
  if (r.audio) {
    return {
      what: "a sound of its own (besides the victim's tone) on the observed output",
      wait: async (child, ms) => {
        const heard = await Promise.race([probes.soundAfter(now(), ms), child.exited.then(() => false)]);
        return heard && !child.done;
      },
    };
  }
  // The pids whose streams count: the target and, when the platform can tell, its descendants.
  return {
    what: 'an audio stream of its process (or a descendant) on the server',
    wait: poll(async (child) => probes.hasStreamOf([child.pid, ...(await probes.descendants(child.pid).catch(() => []))])),
  };
}
