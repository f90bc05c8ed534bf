// What every rig on a PipeWire server (with pipewire-pulse) shares, whoever started the server:
// hilt's private one (VirtualRig) or the user's session (SystemRig). Everything is asked of the
// server through its Pulse and PipeWire tools, never of the target.
import { ToneSource } from '../audio/tone-source.ts';
import type { InventoryObject } from '../inventory/objects.ts';
import type { MidiPort } from '../inventory/parse-server.ts';
import { inventoryHelperBuilt, LiveServer } from '../inventory/live-server.ts';
import { takeServerSnapshot } from '../inventory/server.ts';
import { takeSnapshot, type Snapshot } from '../inventory/snapshot.ts';
import { runTool, type ToolResult } from '../watchdog/tool.ts';
import { hasStreamOf, midiPortsOn, parseServerInfo, sinkOfStream } from './streams.ts';
import { sweepLeftovers } from './sweep.ts';

export abstract class PipeWireRig {
  abstract readonly env: Record<string, string>;
  abstract readonly outputSink: string;
  // Facts for the report: where it ran, what other programs did meanwhile, how it took inventory.
  readonly notes: string[] = [];
  // The inventory's one connection to the server (hilt-inventory), while the rig is up.
  private live: LiveServer | undefined;
  private liveLostNoted = false;

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
    return takeSnapshot(prefix, this.env, this.inventorySource());
  }

  serverInventory(): Promise<Snapshot> {
    return takeServerSnapshot(this.env, this.inventorySource());
  }

  // Once the server answers: the inventory's connection. Without the helper (not built, or no
  // answer) every snapshot spawns pactl and pw-dump, and the run's facts say so once.
  protected async startInventory(): Promise<void> {
    const tools = 'every inventory snapshot spawns pactl and pw-dump instead (about 25-50 ms each)';
    if (!inventoryHelperBuilt()) {
      this.notes.push(`hilt-inventory is not built (pnpm build:native): ${tools}`);
      return;
    }
    try {
      this.live = await LiveServer.start(this.env);
    } catch (e) {
      this.notes.push(`hilt-inventory did not answer its first snapshot (${(e as Error).message.split('\n')[0]}): ${tools}`);
    }
  }

  // Before the server goes: the helper is one of its clients.
  protected async stopInventory(): Promise<void> {
    await this.live?.stop();
    this.live = undefined;
  }

  // The helper while it answers; once it has failed (that snapshot failed with it), the tools.
  private inventorySource(): LiveServer | undefined {
    const failure = this.live?.failure;
    if (failure === undefined) return this.live;
    if (!this.liveLostNoted) this.notes.push(`hilt-inventory stopped answering (${failure}): later snapshots spawned pactl and pw-dump`);
    this.liveLostNoted = true;
    return undefined;
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
