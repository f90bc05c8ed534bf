// The steps both kernel scenarios share (seed 001, the Max kernel that hung on quit): launch the
// kernel app with a connection file of its own, connect idle clients, make the stop call under
// the watchdog, then look from outside (OS threads, descriptors, ports, the file) at what it left.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reaper } from '../../harness/cleanup/reaper.ts';
import { HiltError } from '../../harness/errors.ts';
import { processState } from '../../harness/inventory/snapshot.ts';
import { otherThreads } from '../../harness/inventory/threads.ts';
import { acceptsConnections, IdleClients } from '../../harness/probe/idle-clients.ts';
import type { ScenarioContext } from '../../harness/scenario/define.ts';
import type { AfterStop } from '../../harness/check/kernel-stop.ts';
import type { RunningTarget } from '../../harness/target/launch.ts';
import { watch, watchBudget, type Watched } from '../../harness/watchdog/watchdog.ts';
import { pollUntil } from '../../harness/wait.ts';
import { TargetSession } from './target-session.ts';

export type Ports = Record<string, number>;

export class KernelSession {
  readonly target: TargetSession; // the steps every scenario shares (launch, inventory)
  kernel!: RunningTarget;
  connectionFile = '';

  constructor(private readonly ctx: ScenarioContext) {
    this.target = new TargetSession(ctx);
  }

  private control(name: 'start' | 'stop'): { send: string; answer: RegExp } {
    const c = this.ctx.target.controls[name];
    if (!c) {
      throw new HiltError('TARGET_CONFIG', `target ${this.ctx.target.name} has no "${name}" control`, {
        expected: `"controls": { "${name}": { "send": "<line>", "answer": "<regex>" } } in ${this.ctx.target.file}`,
        seen: 'none',
        hint: 'see fixtures/targets/kernel.json',
      });
    }
    return c;
  }

  async launch(): Promise<RunningTarget> {
    const dir = await mkdtemp(join(tmpdir(), 'hilt-kernel-'));
    reaper.trackDir(dir);
    this.ctx.defer(() => rm(dir, { recursive: true, force: true }));
    this.connectionFile = join(dir, 'kernel.json');
    this.kernel = await this.target.launch('kernel started', { vars: { connection_file: this.connectionFile }, tailLines: 5000 });
    return this.kernel;
  }

  // The ports named in the connection file ("shell_port": 40123 -> shell: 40123).
  async ports(): Promise<{ ports: Ports; text: string }> {
    const there = await pollUntil(() => existsSync(this.connectionFile) || undefined, { deadlineMs: 1000, intervalMs: 5 });
    if (!there.ok) {
      throw new HiltError('TARGET_NOT_READY', 'the kernel wrote no connection file', {
        expected: `${this.connectionFile} once the kernel has started`,
        seen: 'no such file after 1000 ms',
        hint: 'see kernel.log',
      });
    }
    const text = await readFile(this.connectionFile, 'utf8');
    const json = JSON.parse(text) as Record<string, unknown>;
    const ports = Object.fromEntries(
      Object.entries(json)
        .filter(([k, v]) => k.endsWith('_port') && typeof v === 'number')
        .map(([k, v]) => [k.slice(0, -5), v as number]),
    );
    return { ports, text };
  }

  // The start call under the watchdog (a kernel that died meanwhile ends it at once).
  async start(limitMs = 3000): Promise<Watched<string>> {
    const c = this.control('start');
    return this.ctx.run.phase('kernel start', watchBudget(limitMs), () => {
      const answer = this.kernel.child.nextLine(c.answer);
      this.kernel.child.stdin?.write(c.send + '\n');
      return watch(this.kernel.child, answer, { what: 'kernel start call', softMs: limitMs });
    });
  }

  // The stop call under the watchdog: past `limitMs`, stacks, SIGTERM, SIGKILL.
  async stopCall(limitMs: number): Promise<Watched<string>> {
    const c = this.control('stop');
    const answer = this.kernel.child.nextLine(c.answer);
    this.kernel.child.stdin?.write(c.send + '\n');
    return watch(this.kernel.child, answer, { what: 'kernel stop call', softMs: limitMs });
  }

  // Connected means accepted by the kernel, as its log says, not merely by the system: a loaded
  // machine can leave a connection in the backlog until after the stop call, and a channel that
  // accepts it then reads the stop flag and ends, which a blocked one would not.
  connectClients(ports: Ports, perChannel: number): Promise<IdleClients> {
    return this.ctx.run.phase(`${perChannel} idle client(s) per channel`, 3000, async () => {
      const accepted = new Map<string, number>();
      const off = this.kernel.child.onLine((line) => {
        const m = /kernel-(\S+): client connected \((\d+) on this channel\)/.exec(line);
        if (m) accepted.set(m[1]!, Number(m[2]));
      });
      try {
        const clients = await IdleClients.connect(ports, perChannel);
        this.ctx.defer(() => clients.close());
        const all = () => Object.keys(ports).every((ch) => (accepted.get(ch) ?? 0) >= perChannel);
        if (!(await pollUntil(() => all() || undefined, { deadlineMs: 2000, intervalMs: 5 })).ok) {
          const seen = Object.keys(ports).map((ch) => `${ch} ${accepted.get(ch) ?? 0}`);
          throw new Error(`the kernel accepted only some idle clients within 2000 ms (of ${perChannel} per channel: ${seen.join(', ')})`);
        }
        return clients;
      } finally {
        off();
      }
    });
  }

  // What the stopped kernel left, seen from outside; the process is still running.
  async afterStop(ports: Ports, clients: IdleClients): Promise<AfterStop> {
    const read = await otherThreads(this.kernel.pid);
    // A dying process shows only its main thread: the census counts only if it still runs.
    const threads = (await processState(this.kernel.pid)) === 'alive' ? read : undefined;
    const openClients = (await clients.stillOpen(500)).length;
    const listening: string[] = [];
    for (const [channel, port] of Object.entries(ports)) if (await acceptsConnections(port)) listening.push(`${channel}:${port}`);
    return { threads, openClients, listening, fileLeft: existsSync(this.connectionFile) };
  }
}
