// The user's own audio session, as the system rig and `rig check` see it: where its server is
// (found the way its apps find it), and the state of it that hilt must leave exactly as it found
// it (defaults, devices, volumes, other apps' streams and their routes, modules).
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pollUntil } from '../wait.ts';
import { runTool } from '../watchdog/tool.ts';

// Where a Pulse client (pactl, every app) finds the session's server: PULSE_SERVER if set, else
// the socket in $XDG_RUNTIME_DIR/pulse/native (pipewire-pulse and PulseAudio both listen there).
export type ServerLocation = { ok: true; how: string; socket?: string } | { ok: false; seen: string };

export function serverLocation(env: NodeJS.ProcessEnv, exists: (path: string) => boolean): ServerLocation {
  if (env.PULSE_SERVER) return { ok: true, how: `PULSE_SERVER=${env.PULSE_SERVER}` };
  if (!env.XDG_RUNTIME_DIR)
    return { ok: false, seen: 'neither PULSE_SERVER nor XDG_RUNTIME_DIR is set (no desktop session in this shell)' };
  const socket = join(env.XDG_RUNTIME_DIR, 'pulse', 'native');
  if (!exists(socket)) return { ok: false, seen: `no server socket at ${socket} (XDG_RUNTIME_DIR=${env.XDG_RUNTIME_DIR})` };
  return { ok: true, how: socket, socket };
}

export const NO_SERVER_FIX =
  'run inside a desktop session with a running PipeWire (sudo apt-get install -y pipewire pipewire-pulse wireplumber, ' +
  'then log in; on a headless device runner: systemctl --user start pipewire pipewire-pulse wireplumber, and ' +
  "sudo modprobe snd-aloop for a loopback sound card when the runner has none); or use hilt's own server: --rig virtual";

// Pure: the session variables for a server named with --rig-server: a runtime dir (the one its
// pipewire-0 and pulse/native live in), a socket path, or a Pulse address (unix:PATH, tcp:HOST).
// Undefined `given`: the session's own variables, as its apps see them.
export function sessionVariables(
  env: NodeJS.ProcessEnv,
  given: string | undefined,
  isDir: (path: string) => boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (given === undefined) {
    for (const k of ['XDG_RUNTIME_DIR', 'PULSE_SERVER', 'PIPEWIRE_RUNTIME_DIR'] as const) if (env[k]) out[k] = env[k];
    return out;
  }
  if (isDir(given)) return { XDG_RUNTIME_DIR: given, PIPEWIRE_RUNTIME_DIR: given, PULSE_SERVER: `unix:${join(given, 'pulse', 'native')}` };
  const path = given.startsWith('unix:') ? given.slice(5) : given.startsWith('/') ? given : undefined;
  if (path === undefined) return { PULSE_SERVER: given }; // tcp: no PipeWire socket to go with it
  // .../pulse/native: the runtime dir two levels up holds pipewire-0
  const runtime = dirname(dirname(path));
  return { PULSE_SERVER: `unix:${path}`, XDG_RUNTIME_DIR: runtime, PIPEWIRE_RUNTIME_DIR: runtime };
}

// device.routes=1: WirePlumber 0.4's restore-stream saves the volume of every sink without routes
// into the user's state file, forever (a new entry per run); a sink that claims routes is skipped.
export const unsavedSinkProperties = (sink: string): string => `sink_properties='device.description=${sink} device.routes=1'`;

// libpulse writes ~/.config/pulse/cookie when a client finds none (pipewire-pulse never asks for
// it): then hilt's clients and targets get a cookie file in a folder of hilt's, so nothing is
// written under the user's home. A cookie the user has (or PULSE_COOKIE) is left as it is.
export function cookieVariables(env: NodeJS.ProcessEnv, dir: string, exists: (p: string) => boolean): Record<string, string> {
  if (env.PULSE_COOKIE) return {};
  const config = env.XDG_CONFIG_HOME ?? (env.HOME ? join(env.HOME, '.config') : undefined);
  if (config && exists(join(config, 'pulse', 'cookie'))) return {};
  return { PULSE_COOKIE: join(dir, 'pulse-cookie') };
}

export const isDirectory = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

// What of the user's session hilt must leave exactly as it found it.
export interface SessionState {
  defaultSink: string;
  defaultSource: string;
  devices: Record<string, string>; // "sink NAME" / "source NAME" -> volume and mute
  streams: Record<string, string>; // "sink-input N (app)" -> device, volume and mute
  modules: Record<string, string>; // "module N NAME" -> its arguments
}

type PactlObject = {
  index?: number;
  name?: string;
  sink?: number;
  source?: number;
  mute?: boolean;
  volume?: Record<string, { value?: number }>;
  properties?: Record<string, string>;
};

const volumeOf = (o: PactlObject): string =>
  `volume ${Object.entries(o.volume ?? {})
    .map(([ch, v]) => `${ch}=${v.value}`)
    .join(' ')}, ${o.mute ? 'muted' : 'not muted'}`;

// hilt's own objects (sinks, players, recorders, probes): every one is named hilt-...
export const isHiltObject = (name: string | undefined): boolean => !!name?.startsWith('hilt-');

// Pure: the session state from pactl's JSON lists (and its short module list), `isOurs` left out.
export function sessionState(
  p: {
    defaultSink: string;
    defaultSource: string;
    sinks: string;
    sources: string;
    sinkInputs: string;
    sourceOutputs: string;
    modules?: string;
  },
  isOurs: (name: string | undefined) => boolean = isHiltObject,
): SessionState {
  const s: SessionState = {
    defaultSink: p.defaultSink.trim(),
    defaultSource: p.defaultSource.trim(),
    devices: {},
    streams: {},
    modules: {},
  };
  for (const [kind, json] of [
    ['sink', p.sinks],
    ['source', p.sources],
  ] as const) {
    for (const d of JSON.parse(json) as PactlObject[]) if (!isOurs(d.name)) s.devices[`${kind} ${d.name}`] = volumeOf(d);
  }
  for (const [kind, json, to] of [
    ['sink-input', p.sinkInputs, 'sink'],
    ['source-output', p.sourceOutputs, 'source'],
  ] as const) {
    for (const o of JSON.parse(json) as PactlObject[]) {
      const app = o.properties?.['application.name'];
      if (isOurs(app)) continue;
      s.streams[`${kind} ${o.index} (${app ?? 'no name'})`] = `on ${to} ${o[to]}, ${volumeOf(o)}`;
    }
  }
  // "536870913\tmodule-null-sink\tsink_name=x ...": ours are the ones whose arguments name hilt-...
  for (const line of (p.modules ?? '').split('\n')) {
    const [index, name, args = ''] = line.split('\t');
    if (!index || !name || /(^|[\s=])hilt-/.test(args)) continue;
    s.modules[`module ${index} ${name}`] = args.trim();
  }
  return s;
}

// Pure: what changed between two states. Streams that came or went belong to other programs (a
// live session plays on); a stream present both times must be where and as loud as it was.
export function sessionChanges(before: SessionState, after: SessionState): string[] {
  const out: string[] = [];
  if (before.defaultSink !== after.defaultSink) out.push(`default sink was ${before.defaultSink}, is ${after.defaultSink}`);
  if (before.defaultSource !== after.defaultSource) out.push(`default source was ${before.defaultSource}, is ${after.defaultSource}`);
  for (const map of ['devices', 'modules', 'streams'] as const) {
    for (const [k, v] of Object.entries(before[map])) {
      if (map !== 'streams' && !(k in after[map])) out.push(`${k} is gone`);
      else if (k in after[map] && after[map][k] !== v) out.push(`${k}: was ${v}, is ${after[map][k]}`);
    }
    if (map !== 'streams') for (const k of Object.keys(after[map])) if (!(k in before[map])) out.push(`${k} is new`);
  }
  return out;
}

// Pure: other programs' streams that started or ended between two states (not a change hilt
// made, but what can disturb a check that listens on a shared device).
export function othersStreams(before: SessionState, after: SessionState): string[] {
  const came = Object.keys(after.streams).filter((k) => !(k in before.streams));
  const went = Object.keys(before.streams).filter((k) => !(k in after.streams));
  return [...came.map((k) => `${k} started`), ...went.map((k) => `${k} ended`)];
}

export async function pactlJson(env: Record<string, string>, what: string): Promise<string> {
  return (await runTool('pactl', ['-f', 'json', 'list', what], { env, deadlineMs: 5000 })).stdout;
}

export async function readSession(env: Record<string, string>, isOurs?: (name: string | undefined) => boolean): Promise<SessionState> {
  const get = async (...args: string[]) => (await runTool('pactl', args, { env, deadlineMs: 5000 })).stdout;
  return sessionState(
    {
      defaultSink: await get('get-default-sink'),
      defaultSource: await get('get-default-source'),
      sinks: await pactlJson(env, 'sinks'),
      sources: await pactlJson(env, 'sources'),
      sinkInputs: await pactlJson(env, 'sink-inputs'),
      sourceOutputs: await pactlJson(env, 'source-outputs'),
      modules: await get('list', 'short', 'modules'),
    },
    isOurs,
  );
}

// The session after hilt's own objects are gone, and what changed since `before`: the defaults can
// follow a removed sink a moment later, so changes are read again until none or 1 s has passed.
export async function settledSession(
  env: Record<string, string>,
  before: SessionState,
  isOurs?: (name: string | undefined) => boolean,
): Promise<{ after: SessionState; changes: string[] }> {
  let after = before;
  let changes: string[] = [];
  await pollUntil(
    async () => {
      after = await readSession(env, isOurs);
      changes = sessionChanges(before, after);
      return changes.length === 0 || undefined;
    },
    { deadlineMs: 1000, intervalMs: 50 },
  );
  return { after, changes };
}
