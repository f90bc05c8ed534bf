// What every rig on a PipeWire server (with pipewire-pulse) shares, whoever started the server:
// hilt's private one (VirtualRig) or the user's session (SystemRig). Everything is asked of the
// server through its Pulse and PipeWire tools, never of the target.
import { ToneSource } from '../audio/tone-source.ts';
import type { InventoryObject } from '../inventory/objects.ts';
import type { MidiPort } from '../inventory/parse-server.ts';
import { takeServerSnapshot } from '../inventory/server.ts';
import { takeSnapshot, type Snapshot } from '../inventory/snapshot.ts';
import { runTool, type ToolResult } from '../watchdog/tool.ts';
import { hasStreamOf, midiPortsOn, parseServerInfo, sinkOfStream } from './streams.ts';
import { sweepLeftovers } from './sweep.ts';

export abstract class PipeWireRig {
  abstract readonly env: Record<string, string>;
  abstract readonly outputSink: string;

  playTone(appName: string, hz: number, amplitude = 0.3): ToneSource {
    return new ToneSource(appName, this.outputSink, this.env, hz, amplitude);
  }

  hasStreamOf(pids: number[]): Promise<boolean> {
    return hasStreamOf(this.env, pids);
  }

  midiPorts(): Promise<MidiPort[]> {
    return midiPortsOn(this.env);
  }

  routeOf(appName: string): Promise<string | undefined> {
    return sinkOfStream(this, appName);
  }

  inventory(prefix: string): Promise<Snapshot> {
    return takeSnapshot(prefix, this.env);
  }

  serverInventory(): Promise<Snapshot> {
    return takeServerSnapshot(this.env);
  }

  removeLeftovers(objects: InventoryObject[]): Promise<string[]> {
    return sweepLeftovers(this, this.env, objects);
  }

  pactl(args: string[], opts: { reject?: boolean } = {}): Promise<ToolResult> {
    return runTool('pactl', args, { env: this.env, reject: opts.reject ?? true, deadlineMs: 5000 });
  }

  async serverInfo(): Promise<{ name: string; version: string } | undefined> {
    return parseServerInfo((await this.pactl(['info'])).stdout);
  }
}
