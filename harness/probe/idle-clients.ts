// Clients that connect to a server's ports and then say nothing, as Jupyter front ends sit
// idle on a kernel: the case where a server's threads sleep in poll with no message to wake
// them. Each client notes when the server closed its connection.
import { connect, type Socket } from 'node:net';
import { HiltError } from '../errors.ts';
import { now, pollUntil } from '../wait.ts';

export interface IdleClient {
  channel: string;
  port: number;
  socket: Socket;
  closedAt?: number; // performance.now() when the server ended the connection
}

export class IdleClients {
  readonly clients: IdleClient[] = [];

  // Connects `perChannel` clients to each port; fails with a message if one cannot connect.
  static async connect(ports: Record<string, number>, perChannel: number, deadlineMs = 2000): Promise<IdleClients> {
    const all = new IdleClients();
    await Promise.all(
      Object.entries(ports).flatMap(([channel, port]) => Array.from({ length: perChannel }, () => all.open(channel, port, deadlineMs))),
    );
    return all;
  }

  private open(channel: string, port: number, deadlineMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      const c: IdleClient = { channel, port, socket };
      this.clients.push(c);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new HiltError('DEADLINE', `cannot connect an idle client to the ${channel} channel`, {
            expected: `a connection to 127.0.0.1:${port} within ${deadlineMs} ms`,
            seen: 'no connection',
            hint: 'is the kernel listening? see its log',
          }),
        );
      }, deadlineMs);
      let connected = false;
      socket.once('connect', () => {
        connected = true;
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (e) => {
        if (connected) return; // an error after connecting is a close, noted below
        clearTimeout(timer);
        reject(
          new HiltError('TOOL_FAILED', `cannot connect an idle client to the ${channel} channel`, {
            expected: `a connection to 127.0.0.1:${port}`,
            seen: e.message,
            hint: 'is the kernel listening? see its log',
          }),
        );
      });
      socket.on('data', () => {}); // an echo is read and dropped; idle means we send nothing
      socket.once('close', () => (c.closedAt ??= now()));
    });
  }

  // One line out and its echo back on a channel: proof the server's threads are serving.
  async echo(channel: string, deadlineMs = 1000): Promise<number | undefined> {
    const c = this.clients.find((x) => x.channel === channel && x.closedAt === undefined);
    if (!c) return undefined;
    const t0 = now();
    const got = new Promise<boolean>((resolve) => c.socket.once('data', () => resolve(true)));
    c.socket.write('ping\n');
    const timer = new Promise<boolean>((r) => setTimeout(() => r(false), deadlineMs));
    return (await Promise.race([got, timer])) ? now() - t0 : undefined;
  }

  // Waits until the server has closed every connection, or the deadline; returns those still open.
  async stillOpen(deadlineMs: number): Promise<IdleClient[]> {
    await pollUntil(() => this.clients.every((c) => c.closedAt !== undefined) || undefined, { deadlineMs, intervalMs: 5 });
    return this.clients.filter((c) => c.closedAt === undefined);
  }

  close(): void {
    for (const c of this.clients) c.socket.destroy();
  }
}

// Whether something still accepts connections on a port: a server's ports must be released
// when it stops. Refused (or nothing within the deadline) means released.
export function acceptsConnections(port: number, deadlineMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (v: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(false), deadlineMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
