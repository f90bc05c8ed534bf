// hilt's inventory over one long-lived connection to the audio server: hilt-inventory
// (native/src/inventory) holds a PipeWire registry and a Pulse context, and answers each snapshot
// in the shapes of `pactl -f json list` and `pw-dump`, so no tool is spawned per snapshot.
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { HiltError } from '../errors.ts';
import { Child, stopChild, type ChildResult } from '../proc/child.ts';
import { ROOT } from '../root.ts';
import { watch } from '../watchdog/watchdog.ts';
import { pactlLists, type ServerOutputs } from './parse-server.ts';

export const INVENTORY_BIN = resolve(ROOT, 'native/build/Release/hilt-inventory');
// The deadline pactl and pw-dump had: a live server answers in a few ms.
const ANSWER_MS = 5000;

export function inventoryHelperBuilt(file = INVENTORY_BIN): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// Pure: one answer line into parseServer's inputs. The helper's own {"error"} (the server gone)
// and anything not in its shape are TOOL_FAILED, with the line as seen.
export function parseAnswer(line: string): ServerOutputs {
  let j: unknown;
  try {
    j = JSON.parse(line);
  } catch (e) {
    throw new HiltError('TOOL_FAILED', 'hilt-inventory answered a line that is not JSON', {
      expected: 'one JSON object a line',
      seen: line.slice(0, 300),
      hint: 'a hilt bug: rebuild with pnpm build:native and report it with this line',
      cause: e,
    });
  }
  if (isObject(j) && typeof j.error === 'string') {
    throw new HiltError('TOOL_FAILED', `hilt-inventory lost the audio server: ${j.error}`, {
      expected: 'a snapshot of the server',
      seen: j.error,
      hint: 'is the rig still up? the rig environment is printed in the report',
    });
  }
  if (!isObject(j) || !isObject(j.pactl) || !Array.isArray(j.dump)) {
    throw new HiltError('TOOL_FAILED', 'hilt-inventory answered an object without "pactl" and "dump"', {
      expected: '{"pactl": {...}, "dump": [...]}',
      seen: line.slice(0, 300),
      hint: 'a hilt bug: rebuild with pnpm build:native and report it with this line',
    });
  }
  return { ...pactlLists(j.pactl), dump: j.dump as Record<string, unknown>[] };
}

export class LiveServer {
  private queue: Promise<unknown> = Promise.resolve();
  // Why it cannot answer any more (its server gone, a missed deadline): the rig then uses the tools.
  private lost: string | undefined;

  private constructor(private readonly child: Child) {}

  get pid(): number {
    return this.child.pid;
  }

  // How it ended, once it has.
  get exited(): Promise<ChildResult> {
    return this.child.exited;
  }

  get failure(): string | undefined {
    return this.lost;
  }

  // Starts the helper and takes a first snapshot: it is known to answer before a run relies on it.
  static async start(env: Record<string, string>, file = INVENTORY_BIN): Promise<LiveServer> {
    // A short tail: every answer is one long line, and only the last few help a message.
    const child = new Child(file, [], { name: 'hilt-inventory', env, stdin: 'pipe', tailLines: 4 });
    const live = new LiveServer(child);
    try {
      await live.snapshot();
      return live;
    } catch (e) {
      await live.stop();
      throw e;
    }
  }

  // One request at a time: the answers carry no id.
  snapshot(): Promise<ServerOutputs> {
    const next = this.queue.then(() => this.ask());
    this.queue = next.catch(() => {});
    return next;
  }

  private async ask(): Promise<ServerOutputs> {
    if (this.lost) throw new HiltError('TOOL_FAILED', `hilt-inventory cannot answer: ${this.lost}`, { seen: this.lost });
    const reply = this.child.nextLine(/^\{/);
    this.child.stdin?.write('snapshot\n');
    const w = await watch(this.child, reply, { what: "hilt's own step `hilt-inventory snapshot`", softMs: ANSWER_MS });
    if (w.outcome === 'done') {
      try {
        return parseAnswer(w.value);
      } catch (e) {
        this.lost = (e as Error).message.split('\n')[0];
        throw e;
      }
    }
    if (w.outcome === 'hung') {
      this.lost = `no answer within ${ANSWER_MS} ms`;
      throw new HiltError('DEADLINE', 'hilt-inventory did not answer: `snapshot` hung', {
        expected: `an answer within ${ANSWER_MS} ms`,
        seen: w.hang.summary,
        hint:
          'the audio server may be stopped or wedged: its stacks are attached; ' +
          'check the rig daemons (pipewire, wireplumber, pipewire-pulse) and rerun',
      });
    }
    this.lost = `it exited (${w.exit.exitCode ?? w.exit.signal})`;
    throw new HiltError('TOOL_FAILED', 'hilt-inventory exited instead of answering `snapshot`', {
      expected: 'one JSON line',
      seen: [this.lost, ...this.stderrTail()].join('\n'),
      hint: 'is the rig still up? the rig environment is printed in the report',
    });
  }

  // What it said on stderr lately (its answers are long stdout lines, not worth a message).
  private stderrTail(): string[] {
    return this.child
      .outputTail(4)
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('{'));
  }

  // stdin closed is its signal to disconnect and exit; SIGKILL only if it does not within 2 s.
  async stop(): Promise<void> {
    await this.queue;
    this.lost ??= 'stopped';
    this.child.stdin?.end();
    await stopChild(this.child, null, 2000);
  }
}
