// JACK MIDI on the virtual rig: a JACK client finds PipeWire's libjack the way `pw-jack` points
// it there, and reaches the rig's PipeWire through the rig's runtime dir. Two more environments
// make the cases a MIDI start-up must survive: no JACK server at all, and a server that accepts
// the connection and never answers (the client's open blocks forever, measured).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reaper } from '../cleanup/reaper.ts';
import { HiltError } from '../errors.ts';
import { which } from '../proc/which.ts';

export type MidiServer = 'rig' | 'absent' | 'silent';
export const MIDI_SERVERS: MidiServer[] = ['rig', 'absent', 'silent'];

// What pw-jack exports: ${LIB} is expanded by the dynamic linker itself (lib/x86_64-linux-gnu).
import { PW_JACK_LIBRARY_PATH } from '../rig/jack.ts';

export function requirePipewireJack(): void {
  if (which('pw-jack')) return;
  throw new HiltError('RIG_MISSING', 'JACK MIDI on the virtual rig needs pipewire-jack, which is not installed', {
    expected: "pw-jack and PipeWire's libjack (/usr/lib/<arch>/pipewire-0.3/jack/libjack.so.0)",
    seen: 'pw-jack not on PATH',
    hint: 'sudo apt-get install -y pipewire-jack   (or run: npm run setup)',
  });
}

// The environment a JACK client needs on top of the rig's, for each kind of server.
export function jackEnv(rigEnv: Record<string, string>, server: MidiServer, silent?: SilentJackServer): Record<string, string> {
  const noAutostart = { JACK_NO_START_SERVER: '1' };
  if (server === 'absent') return { ...rigEnv, ...noAutostart }; // the system libjack, no jackd running
  const env = { ...rigEnv, ...noAutostart, LD_LIBRARY_PATH: [PW_JACK_LIBRARY_PATH, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
  if (server === 'silent') {
    if (!silent) throw new HiltError('INTERNAL', 'a silent JACK server was asked for but not started');
    return { ...env, PIPEWIRE_RUNTIME_DIR: silent.dir, PIPEWIRE_REMOTE: 'pipewire-0' };
  }
  return env;
}

// A unix socket where PipeWire's would be, that accepts every connection and never writes:
// a frozen or wedged audio server, as a MIDI start-up sees it.
export class SilentJackServer {
  private readonly sockets = new Set<Socket>();
  private constructor(
    readonly dir: string,
    private readonly server: Server,
  ) {}

  static async start(): Promise<SilentJackServer> {
    const dir = await mkdtemp(join(tmpdir(), 'hilt-silent-jack-'));
    reaper.trackDir(dir);
    const server = createServer();
    const s = new SilentJackServer(dir, server);
    server.on('connection', (c) => {
      s.sockets.add(c);
      c.on('error', () => {});
      c.on('close', () => s.sockets.delete(c));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(join(dir, 'pipewire-0'), resolve);
    });
    return s;
  }

  async stop(): Promise<void> {
    for (const c of this.sockets) c.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
    if (existsSync(this.dir)) await rm(this.dir, { recursive: true, force: true });
  }
}
