// `rig check`: what a runner has and whether the chosen rig works. Gathers the facts (OS, CPUs,
// the audio server, devices, the loopback measured with a tone, MIDI, debuggers and tools), turns
// each into one line (ok, missing, failed or info, with the exact command that fixes it) and
// says whether the rig is usable (exit 0) or not (77). The virtual rig is started and always
// stopped; the system rig is the session's own server, never started, restarted or stopped.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { arch, availableParallelism, release, type as osType } from 'node:os';
import { platform as currentPlatform, type Containment } from '../../platform/index.ts';
import { which } from '../../proc/which.ts';
import { now } from '../../wait.ts';
import { runTool } from '../../watchdog/tool.ts';
import type { RigKind } from '../rig.ts';
import { parseServerInfo } from '../streams.ts';
import {
  cookieVariables,
  NO_SERVER_FIX,
  pactlJson,
  readSession,
  serverLocation,
  isDirectory,
  settledSession,
  sessionVariables,
  type SessionState,
} from '../session.ts';
import type { RigFile } from '../rig-file.ts';
import { OBSERVED_SINK, VirtualRig } from '../virtual-rig.ts';
import {
  CHECK_APP,
  CHECK_TONE_AMPLITUDE,
  CHECK_TONE_HZ,
  checkSinkName,
  deviceLoopback,
  measureLoopback,
  systemLoopback,
  type LoopbackResult,
} from './loopback.ts';
import { errorLine, loopbackLine } from './lines.ts';
import { midiFacts, midiRoundTrip, type MidiFacts, type OpenProbe } from './midi.ts';
import { checkCoreaudio } from './coreaudio.ts';
import { checkWasapi } from './wasapi.ts';

export const RIG_CHECK_SCHEMA = 1;

export type LineStatus = 'ok' | 'missing' | 'failed' | 'info';

export interface CheckLine {
  id: string; // stable: os, cpus, server, devices, loopback, session, wireplumber, midi, containment, debugger, xvfb, wine, mingw;
  // on macOS also default-output, microphone, taps, processes
  status: LineStatus;
  text: string;
  fix?: string; // the exact command or download that gets what is missing
  required: boolean; // a required line that is not ok makes the rig unusable
}

export interface HostFacts {
  os: NodeJS.Platform;
  osName: string; // "Debian GNU/Linux 12 (bookworm)", or os.type() where there is no os-release
  kernel: string;
  arch: string;
  cpus: number;
}

export interface Device {
  name: string;
  description?: string;
  monitorOf?: string; // a source that is the monitor of this sink
}

export interface ServerFacts {
  name: string;
  version: string;
  how: string; // how it was found: "hilt's private PipeWire in ...", "PULSE_SERVER=...", "$XDG_RUNTIME_DIR/pulse/native"
}

export interface ToolFact {
  id: string;
  tool: string;
  path?: string;
  install: string;
  required: boolean;
}

export interface RigCheckReport {
  schemaVersion: typeof RIG_CHECK_SCHEMA;
  rig: RigKind;
  usable: boolean;
  exitCode: 0 | 77;
  host: HostFacts;
  server?: ServerFacts;
  devices?: { sinks: Device[]; sources: Device[] };
  loopback?: LoopbackResult;
  session?: { defaultSink: string; defaultSource: string; unchanged: boolean; changes: string[] };
  midi: MidiFacts;
  tools: ToolFact[];
  lines: CheckLine[];
  missing: string[]; // every fix of a line that is not ok, in order
  durationMs: number;
}

// Pure: the PRETTY_NAME of /etc/os-release.
export function osPrettyName(osRelease: string): string | undefined {
  const m = /^PRETTY_NAME=(?:"([^"]*)"|(.*))$/m.exec(osRelease);
  return (m?.[1] ?? m?.[2])?.trim() || undefined;
}

export function hostFacts(os: NodeJS.Platform = process.platform): HostFacts {
  let osName = osType();
  if (os === 'linux') {
    try {
      osName = osPrettyName(readFileSync('/etc/os-release', 'utf8')) ?? osName;
    } catch {
      /* no os-release: os.type() says Linux */
    }
  }
  return { os, osName, kernel: release(), arch: arch(), cpus: availableParallelism() };
}

// Pure: the tools a runner may have, and how to get each on this OS. Only the stack debugger is
// said as missing; Xvfb, Wine and mingw are informational (the scenarios that need them say so).
export function toolFacts(
  os: NodeJS.Platform,
  debuggerTool: string,
  debuggerInstall: string,
  find: (tool: string) => string | undefined,
): ToolFact[] {
  const fact = (id: string, tools: string[], install: string, required: boolean): ToolFact => {
    const tool = tools.find((t) => find(t)) ?? tools[0]!;
    const path = find(tool);
    return { id, tool, install, required, ...(path ? { path } : {}) };
  };
  const out = [fact('debugger', [debuggerTool], debuggerInstall, false)];
  if (os === 'linux') {
    out.push(
      fact('xvfb', ['Xvfb'], 'sudo apt-get install -y xvfb   (GUI targets run on a private X display)', false),
      fact('wine', ['wine64', 'wine'], 'sudo apt-get install -y wine64   (Windows programs under Wine)', false),
      fact('mingw', ['x86_64-w64-mingw32-g++'], 'sudo apt-get install -y g++-mingw-w64-x86-64   (Windows builds with mingw-w64)', false),
    );
  }
  return out;
}

// Pure: sinks or sources from `pactl -f json list sinks|sources`. In pactl 16's JSON a sink's
// `monitor_source` names its monitor, and a source's `monitor_source` names the sink it monitors
// (there is no monitor_of_sink key, though newer pactl may add one); "n/a" or "" when none.
export function parseDevices(json: string, kind: 'sinks' | 'sources'): Device[] {
  const list = JSON.parse(json) as {
    name?: string;
    description?: string;
    monitor_of_sink?: string | null;
    monitor_source?: string | null;
  }[];
  const named = (v: string | null | undefined): string | undefined => (v && v !== 'n/a' ? v : undefined);
  return list
    .filter((d) => typeof d.name === 'string')
    .map((d) => {
      const monitorOf = kind === 'sources' ? (named(d.monitor_of_sink) ?? named(d.monitor_source)) : undefined;
      return { name: d.name!, ...(d.description ? { description: d.description } : {}), ...(monitorOf ? { monitorOf } : {}) };
    });
}

// The check's own objects: its null sink, that sink's monitor, its player and recorder.
export const isCheckObject = (name: string | undefined, sink = checkSinkName()): boolean =>
  name === sink || name === `${sink}.monitor` || name === CHECK_APP || name === 'hilt-recorder';

export interface RigCheckOptions {
  rig: RigKind;
  openMidiProbe?: OpenProbe; // the CLI hands in JackMidiProbe.open (harness/midi imports harness/rig)
  env?: NodeJS.ProcessEnv; // the session's environment (tests)
  server?: string; // --rig-server: a server other than the session's own
  rigFile?: RigFile; // --rig-config: the device pair to measure instead of a null sink of the check's own
}

function devicesLine(d: { sinks: Device[]; sources: Device[] }): CheckLine {
  const name = (x: Device) => (x.monitorOf ? `${x.name} (monitor of ${x.monitorOf})` : x.name);
  const inputs = d.sources.filter((s) => !s.monitorOf).length;
  return {
    id: 'devices',
    status: 'info',
    text:
      `${d.sinks.length} output(s): ${d.sinks.map(name).join(', ') || 'none'}; ` +
      `${d.sources.length} capture(s) (${inputs} input(s), ${d.sources.length - inputs} monitor(s)): ` +
      `${d.sources.map(name).join(', ') || 'none'}`,
    required: false,
  };
}

function midiLine(m: MidiFacts): CheckLine {
  const has = [
    m.alsaSequencer !== undefined && `ALSA sequencer ${m.alsaSequencer ? 'present (/dev/snd/seq)' : 'absent (no /dev/snd/seq)'}`,
    m.pwJack !== undefined && `pipewire-jack ${m.pwJack ? 'present (pw-jack)' : 'absent'}`,
    m.jackd && 'jackd present',
  ].filter(Boolean);
  const rt = m.roundTrip;
  const rtText = !rt
    ? m.present
      ? 'round trip not measured by the check on this rig'
      : undefined
    : rt.measured && rt.ok
      ? `round trip ${rt.latencyMs} ms (${rt.probe})`
      : rt.problem;
  const status: LineStatus = !m.present || (rt && !rt.ok) ? 'missing' : 'ok';
  const fix = m.fix ?? rt?.fix;
  return {
    id: 'midi',
    status,
    text: [m.api, ...has, rtText].filter(Boolean).join('; '),
    required: false,
    ...(status !== 'ok' && fix ? { fix } : {}),
  };
}

// Whether each target can get a group of its own, which nothing it starts can leave.
export function containmentLine(c: Containment): CheckLine {
  if (!c.ok) return { id: 'containment', status: 'missing', text: `no group per target: ${c.why}`, fix: c.fix, required: false };
  if (c.kind === 'job') {
    return {
      id: 'containment',
      status: 'ok',
      text:
        `job objects are available: a job object per target (named ${c.root}-*, held by hilt-winrun, killed on close); ` +
        'a process started with CREATE_BREAKAWAY_FROM_JOB leaves it and is found by the process tree',
      required: false,
    };
  }
  return {
    id: 'containment',
    status: 'ok',
    text: `a cgroup v2 group per target (under ${dirname(c.root)}): what a target starts is found and ended however it escapes`,
    required: false,
  };
}

function toolLine(t: ToolFact): CheckLine {
  const label = t.id === 'debugger' ? `${t.tool} (stacks of a hung program)` : t.tool;
  return t.path
    ? { id: t.id, status: 'ok', text: `${label}: ${t.path}`, required: t.required }
    : { id: t.id, status: t.id === 'debugger' ? 'missing' : 'info', text: `${label}: not installed`, fix: t.install, required: t.required };
}

// Pure: the verdict over the lines.
export function verdictOf(lines: CheckLine[]): { usable: boolean; missing: string[] } {
  return {
    usable: lines.every((l) => !l.required || l.status === 'ok' || l.status === 'info'),
    missing: lines.filter((l) => (l.status === 'missing' || l.status === 'failed') && l.fix).map((l) => `${l.id}: ${l.fix}`),
  };
}

async function listDevices(env: Record<string, string>): Promise<{ sinks: Device[]; sources: Device[] }> {
  return { sinks: parseDevices(await pactlJson(env, 'sinks'), 'sinks'), sources: parseDevices(await pactlJson(env, 'sources'), 'sources') };
}

async function checkVirtual(r: Partial<RigCheckReport> & { lines: CheckLine[] }, opts: RigCheckOptions): Promise<void> {
  if (process.platform !== 'linux') {
    r.lines.push({
      id: 'server',
      status: 'missing',
      text: `the virtual rig is a private PipeWire: Linux only (this is ${process.platform})`,
      fix:
        process.platform === 'darwin'
          ? 'use --rig system (the CoreAudio rig with BlackHole 2ch, the default on macOS)'
          : 'use --rig system (the WASAPI rig, the default on Windows)',
      required: true,
    });
    return;
  }
  let rig: VirtualRig | undefined;
  let step = 'server';
  try {
    rig = await VirtualRig.start({ healthCheck: false });
    const info = await rig.serverInfo();
    r.server = {
      name: info?.name ?? 'unknown',
      version: info?.version ?? 'unknown',
      how: `hilt's private server in ${rig.env.XDG_RUNTIME_DIR}`,
    };
    r.lines.push({
      id: 'server',
      status: 'ok',
      text:
        `${r.server.name} ${r.server.version} (hilt's own, private: ready in ${Math.round(rig.timings.readyMs)} ms; ` +
        "the session's server is never touched)",
      required: true,
    });
    step = 'devices';
    r.devices = await listDevices(rig.env);
    r.lines.push(devicesLine(r.devices));
    step = 'loopback';
    const live = rig;
    r.loopback = await measureLoopback(rig.capture, () => live.playTone(CHECK_APP, CHECK_TONE_HZ, CHECK_TONE_AMPLITUDE), {
      output: OBSERVED_SINK,
      capture: `${OBSERVED_SINK}.monitor`,
    });
    r.lines.push(loopbackLine(r.loopback));
    step = 'midi';
    if (r.midi!.present && opts.openMidiProbe) r.midi!.roundTrip = await midiRoundTrip(rig.env, opts.openMidiProbe);
  } catch (e) {
    r.lines.push(errorLine(step, e));
  } finally {
    await rig?.stop();
  }
}

// A folder of the check's own for the Pulse cookie libpulse would otherwise write under $HOME.
async function checkSystem(
  r: Partial<RigCheckReport> & { lines: CheckLine[] },
  env: NodeJS.ProcessEnv,
  opts: RigCheckOptions,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hilt-check-'));
  try {
    await checkSystemWith(r, env, opts, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function checkSystemWith(
  r: Partial<RigCheckReport> & { lines: CheckLine[] },
  env: NodeJS.ProcessEnv,
  opts: RigCheckOptions,
  dir: string,
): Promise<void> {
  if (process.platform === 'win32') return checkWasapi(r, opts);
  if (process.platform === 'darwin') return checkCoreaudio(r, opts);
  const noTools = ['pactl', 'parecord', 'pacat'].filter((t) => !which(t));
  if (noTools.length) {
    r.lines.push({
      id: 'server',
      status: 'missing',
      text: `the Pulse client tools hilt talks to the server with are not installed (not on PATH: ${noTools.join(', ')})`,
      fix: 'sudo apt-get install -y pulseaudio-utils',
      required: true,
    });
    return;
  }
  const vars = sessionVariables(env, opts.server, isDirectory);
  const where = serverLocation(vars, existsSync);
  if (!where.ok) {
    r.lines.push({
      id: 'server',
      status: 'missing',
      text: `no audio server of the session answers: ${where.seen}`,
      fix: NO_SERVER_FIX,
      required: true,
    });
    return;
  }
  // Only the session's variables, as its apps see them; PULSE_BINARY keeps libpulse from
  // autospawning a PulseAudio if the socket is stale: the check never starts a server.
  const sessionEnv: Record<string, string> = {
    PULSE_BINARY: which('false') ?? '/bin/false',
    ...vars,
    ...cookieVariables(env, dir, existsSync),
  };
  const info = await runTool('pactl', ['info'], { env: sessionEnv, reject: false, deadlineMs: 5000 });
  const server = info.exitCode === 0 ? parseServerInfo(info.stdout) : undefined;
  if (!server) {
    r.lines.push({
      id: 'server',
      status: 'missing',
      text:
        `no audio server of the session answers at ${where.how}: pactl info ` +
        (info.exitCode === 0 ? 'gave no server name' : `exit ${info.exitCode}: ${info.stderr.trim().split('\n')[0]}`),
      fix: NO_SERVER_FIX,
      required: true,
    });
    return;
  }
  r.server = { ...server, how: where.how };
  r.lines.push({
    id: 'server',
    status: 'ok',
    text: `${server.name} ${server.version} (the session's, at ${where.how}; never started, restarted or stopped by hilt)`,
    required: true,
  });
  let before: SessionState;
  try {
    before = await readSession(sessionEnv, isCheckObject);
    r.devices = await listDevices(sessionEnv);
    r.lines.push(devicesLine(r.devices));
  } catch (e) {
    r.lines.push(errorLine('devices', e, 'failed'));
    return;
  }
  let failure: unknown;
  try {
    r.loopback = opts.rigFile ? await deviceLoopback(sessionEnv, opts.rigFile) : await systemLoopback(sessionEnv);
    r.lines.push(loopbackLine(r.loopback));
  } catch (e) {
    failure = e;
  }
  try {
    await compareSession(r, before, sessionEnv);
  } catch (e) {
    r.lines.push(errorLine('session', e, 'failed'));
  }
  if (failure) r.lines.push(errorLine('loopback', failure, 'failed'));
  r.lines.push(
    wireplumberRuleLine(
      env,
      (dir) => (existsSync(dir) ? readdirSync(dir) : []),
      (f) => readFileSync(f, 'utf8'),
    ),
  );
}

export const WIREPLUMBER_RULE = 'harness/rig/wireplumber/51-hilt-not-saved.lua';

// Pure: is the rule that keeps hilt's streams out of WirePlumber's saved state installed (user or
// system config)? Optional: without it the first run adds hilt's fixed-name lines once.
export function wireplumberRuleLine(env: NodeJS.ProcessEnv, list: (dir: string) => string[], read: (file: string) => string): CheckLine {
  const userConfig = env.XDG_CONFIG_HOME ?? (env.HOME ? join(env.HOME, '.config') : undefined);
  const dirs = [userConfig, '/etc'].filter((d): d is string => !!d).map((d) => join(d, 'wireplumber', 'main.lua.d'));
  for (const dir of dirs) {
    for (const name of list(dir).filter((n) => n.endsWith('.lua'))) {
      const text = read(join(dir, name));
      if (text.includes('"hilt-*"') && text.includes('state.restore-props')) {
        return {
          id: 'wireplumber',
          status: 'ok',
          text: `hilt's streams are kept out of WirePlumber's saved state (${join(dir, name)})`,
          required: false,
        };
      }
    }
  }
  const to = dirs[0] ?? '~/.config/wireplumber/main.lua.d';
  return {
    id: 'wireplumber',
    status: 'missing',
    text: "no rule keeps hilt's streams out of WirePlumber's saved state: the first run adds their volumes (fixed names, once)",
    fix:
      `mkdir -p ${to} && cp ${WIREPLUMBER_RULE} ${to}/ ` +
      '&& systemctl --user restart wireplumber   (once, by hand: hilt never restarts it)',
    required: false,
  };
}

async function compareSession(
  r: Partial<RigCheckReport> & { lines: CheckLine[] },
  before: SessionState,
  sessionEnv: Record<string, string>,
): Promise<void> {
  const { changes } = await settledSession(sessionEnv, before, isCheckObject);
  r.session = { defaultSink: before.defaultSink, defaultSource: before.defaultSource, unchanged: changes.length === 0, changes };
  r.lines.push(
    changes.length === 0
      ? {
          id: 'session',
          status: 'ok',
          text: `default sink ${before.defaultSink}, default source ${before.defaultSource}, volumes and other streams as before the check`,
          required: true,
        }
      : {
          id: 'session',
          status: 'failed',
          text: `THE CHECK CHANGED THE USER'S AUDIO SESSION: ${changes.join('; ')}`,
          fix:
            `restore by hand: pactl set-default-sink ${before.defaultSink}; ` +
            `pactl set-default-source ${before.defaultSource}; and report this as a hilt bug`,
          required: true,
        },
  );
}

export async function checkRig(opts: RigCheckOptions): Promise<RigCheckReport> {
  const t0 = now();
  const os = process.platform;
  const host = hostFacts(os);
  const dbg = currentPlatform.stackDebugger();
  const tools = toolFacts(os, dbg.tool, dbg.install, (t) => which(t));
  const midi = midiFacts(os, { file: existsSync, tool: (t) => !!which(t) }, opts.rig);
  const r: Partial<RigCheckReport> & { lines: CheckLine[] } = { host, midi, tools, lines: [] };
  r.lines.push({ id: 'os', status: 'info', text: `${host.osName}, ${os} ${host.kernel} ${host.arch}`, required: false });
  r.lines.push({ id: 'cpus', status: 'info', text: `${host.cpus}`, required: false });
  if (opts.rig === 'virtual') await checkVirtual(r, opts);
  else await checkSystem(r, opts.env ?? process.env, opts);
  r.lines.push(midiLine(midi));
  r.lines.push(containmentLine(currentPlatform.containment()));
  for (const t of tools) r.lines.push(toolLine(t));
  const { usable, missing } = verdictOf(r.lines);
  return {
    schemaVersion: RIG_CHECK_SCHEMA,
    rig: opts.rig,
    usable,
    exitCode: usable ? 0 : 77,
    host,
    ...(r.server ? { server: r.server } : {}),
    ...(r.devices ? { devices: r.devices } : {}),
    ...(r.loopback ? { loopback: r.loopback } : {}),
    ...(r.session ? { session: r.session } : {}),
    midi,
    tools,
    lines: r.lines,
    missing,
    durationMs: Math.round(now() - t0),
  };
}
