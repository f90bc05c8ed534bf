// Where a playing stream is routed, asked of the server: proves the victim is really tapped
// (its stream sits in the engine's tap sink), not merely audible.
import { parseMidiPorts, streamOwners, type MidiPort } from '../inventory/parse-server.ts';
import { runTool, type ToolResult } from '../watchdog/tool.ts';

// What these need of a rig: a Pulse client pointed at its server.
interface PulseRig {
  pactl(args: string[], opts?: { reject?: boolean }): Promise<ToolResult>;
}

type Json = Record<string, any>;

export async function sinkOfStream(rig: PulseRig, appName: string): Promise<string | undefined> {
  const [inputs, sinks] = await Promise.all([rig.pactl(['-f', 'json', 'list', 'sink-inputs']), rig.pactl(['-f', 'json', 'list', 'sinks'])]);
  const input = (JSON.parse(String(inputs.stdout)) as Json[]).find((i) => i.properties?.['application.name'] === appName);
  if (!input) return undefined;
  return (JSON.parse(String(sinks.stdout)) as Json[]).find((s) => s.index === input.sink)?.name;
}

// What pw-dump says now: the source of readiness by "stream" and by "midiPort".
const dump = async (env: Record<string, string>): Promise<string> =>
  (await runTool('pw-dump', ['--no-colors'], { env, deadlineMs: 5000 })).stdout;

// Readiness by "stream": a playback or capture stream node whose process is one of `pids`.
export async function hasStreamOf(env: Record<string, string>, pids: number[]): Promise<boolean> {
  const owners = streamOwners(await dump(env));
  return pids.some((p) => owners.has(p));
}

export const midiPortsOn = async (env: Record<string, string>): Promise<MidiPort[]> => parseMidiPorts(await dump(env));

// `pactl info`: "Server Name: PulseAudio (on PipeWire 0.3.65)" is PipeWire 0.3.65; a real
// PulseAudio says its own "Server Version".
export function parseServerInfo(text: string): { name: string; version: string } | undefined {
  const onPipewire = /^Server Name:.*\(on PipeWire ([\w.-]+)\)/m.exec(text);
  if (onPipewire) return { name: 'PipeWire', version: onPipewire[1]! };
  const name = /^Server Name: (.+)$/m.exec(text)?.[1]?.trim();
  const version = /^Server Version: (.+)$/m.exec(text)?.[1]?.trim();
  return name && version ? { name, version } : undefined;
}
