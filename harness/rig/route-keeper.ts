// Keeps hilt's own streams on hilt's own devices on the user's server. When a tap sink goes away
// the server's policy sends the stream it held to the DEFAULT device: on the virtual rig that is
// the observed sink, on the system rig it is the user's speakers. The keeper hears the move
// (`pactl subscribe`) and moves the stream back to the observed output, so a victim is judged
// where hilt listens and is never left playing on the user's devices. Each move is counted.
import { Child, stopChild } from '../proc/child.ts';
import type { ToolResult } from '../watchdog/tool.ts';

interface PulseRig {
  pactl(args: string[], opts?: { reject?: boolean }): Promise<ToolResult>;
  readonly env: Record<string, string>;
}

type Json = { index?: number; name?: string; sink?: number; properties?: Record<string, string> };

const isHilt = (name: string | undefined): boolean => !!name?.startsWith('hilt-');

// Pure: hilt's streams (application.name hilt-...) sitting on a sink that is neither hilt's nor the
// observed output (a rig file's output is a device of the user's).
export function strayStreams(inputs: Json[], sinks: Json[], output: string): { index: number; app: string; sink: string }[] {
  const sinkName = new Map(sinks.map((s) => [s.index, s.name ?? '']));
  return inputs
    .filter((i) => isHilt(i.properties?.['application.name']) && i.index !== undefined)
    .map((i) => ({ index: i.index!, app: i.properties!['application.name']!, sink: sinkName.get(i.sink) ?? '' }))
    .filter((s) => s.sink !== '' && s.sink !== output && !isHilt(s.sink));
}

export class RouteKeeper {
  readonly moved: string[] = []; // "hilt-victim from desk-speakers"
  private readonly child: Child;
  private busy: Promise<void> = Promise.resolve();
  private queued = false;
  private sinks: Json[] | undefined; // sinks change rarely: listed again only when one comes or goes

  constructor(
    private readonly rig: PulseRig,
    private readonly output: string,
  ) {
    // stdbuf: pactl's stdout is block-buffered into a pipe; an event must arrive when it happens.
    this.child = new Child('stdbuf', ['-oL', 'pactl', 'subscribe'], { name: 'hilt-route-keeper', env: rig.env });
    this.child.onLine((line) => {
      if (/'(new|remove)' on sink #/.test(line)) this.sinks = undefined;
      if (/'(new|change)' on sink-input/.test(line)) this.request();
    });
  }

  // One look at a time, and at most one waiting: a playing stream sends a burst of change events,
  // and a look queued per event put the move back seconds behind the server on a loaded machine.
  private request(): void {
    if (this.queued) return; // the waiting look will see this change too
    this.queued = true;
    this.busy = this.busy.then(() => {
      this.queued = false;
      return this.bringBack();
    });
  }

  private async list(what: string): Promise<Json[]> {
    return JSON.parse((await this.rig.pactl(['-f', 'json', 'list', what], { reject: false })).stdout || '[]') as Json[];
  }

  private async bringBack(): Promise<void> {
    const inputs = await this.list('sink-inputs');
    const known = new Set((this.sinks ?? []).map((s) => s.index));
    if (!this.sinks || inputs.some((i) => i.sink !== undefined && !known.has(i.sink))) this.sinks = await this.list('sinks');
    for (const s of strayStreams(inputs, this.sinks, this.output)) {
      const r = await this.rig.pactl(['move-sink-input', String(s.index), this.output], { reject: false });
      if (r.exitCode === 0) this.moved.push(`${s.app} from ${s.sink}`);
    }
  }

  async stop(): Promise<void> {
    await stopChild(this.child, 'SIGTERM', 2000);
    await this.busy;
  }
}
