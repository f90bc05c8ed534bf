// The reaper guarantees hilt leaves nothing behind, even when hilt itself is SIGKILLed: every
// child pid, temp dir and module hilt loaded on a server not its own is registered with a detached
// helper that cleans up when our pipe to it closes, which the kernel does for us however we die.
// The helper is the platform's (Linux and macOS: harness/platform/reaper.sh).
import { spawn, type ChildProcess } from 'node:child_process';
import { HiltError } from '../errors.ts';
import { platform as current, type Platform } from '../platform/index.ts';
import { now } from '../wait.ts';

// How long the reaper may take to say "ready": a bash start is milliseconds; a Windows program
// under Wine on a loaded machine took up to a few hundred.
const READY_MS = 15_000;

const pulseModuleLine = (index: number, address: string): boolean =>
  Number.isSafeInteger(index) && index >= 0 && address !== '' && !/\s/.test(address);

export class Reaper {
  private child: ChildProcess | undefined;
  private ready: Promise<number> | undefined;
  private readonly platform: Platform;

  constructor(platform: Platform = current) {
    this.platform = platform;
  }

  private spawn(): ChildProcess {
    const [file, ...args] = this.platform.reaperArgv();
    // detached: its own session, so a Ctrl-C to hilt's process group cannot kill it first.
    const child = spawn(file!, args, { detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
    child.unref();
    for (const s of [child.stdin, child.stdout]) (s as unknown as { unref?: () => void } | null)?.unref?.();
    child.stdin?.on('error', () => {});
    this.ready = readyLine(child);
    this.ready.catch(() => {}); // said by start(), to the caller that waits for it
    return child;
  }

  // Spawns the reaper if need be and waits until it reads its stdin: a target launched before that
  // could outlive a hilt killed meanwhile (Windows under load: a hilt killed during the reaper's own
  // start left it suspended forever and the target running). Resolves with how long it waited.
  async start(): Promise<number> {
    this.child ??= this.spawn();
    return this.ready!;
  }

  private write(line: string): void {
    this.child ??= this.spawn();
    this.child.stdin?.write(line + '\n');
  }

  trackPid(pid: number | undefined): void {
    if (pid) this.write(`pid ${pid}`);
  }

  untrackPid(pid: number | undefined): void {
    if (pid) this.write(`unpid ${pid}`);
  }

  // The helper's pid (undefined until the first line spawns it): a rig lock records it, so a lock
  // whose owner died is left to that owner's reaper while it still sweeps.
  get pid(): number | undefined {
    return this.child?.pid;
  }

  trackDir(path: string): void {
    this.write(`dir ${path}`);
  }

  // A dir handed on (a released rig lock): another run may own the same path by the time we end.
  untrackDir(path: string): void {
    this.write(`undir ${path}`);
  }

  // hilt's cgroup: everything in it is killed (cgroup.kill) and it is removed when hilt ends, however.
  trackCgroup(path: string): void {
    this.write(`cgroup ${path}`);
  }

  // A module hilt loaded on a Pulse server not its own (the user's session): unloaded by
  // `PULSE_SERVER=address pactl unload-module index` if hilt dies first. The line protocol cannot
  // carry an address with whitespace: false then, and the caller's own finally is all there is.
  trackPulseModule(index: number, address: string): boolean {
    if (!pulseModuleLine(index, address)) return false;
    this.write(`pulse-module ${index} ${address}`);
    return true;
  }

  untrackPulseModule(index: number, address: string): boolean {
    if (!pulseModuleLine(index, address)) return false;
    this.write(`unpulse-module ${index} ${address}`);
    return true;
  }

  // Normal end: closing the pipe makes the reaper sweep whatever is still registered and exit.
  close(): void {
    this.child?.stdin?.end();
    this.child = undefined;
    this.ready = undefined;
  }
}

// The reaper's first line, "ready", once it reads its stdin; then nothing more on stdout.
function readyLine(child: ChildProcess): Promise<number> {
  const t0 = now();
  const argv = child.spawnargs.join(' ');
  const failed = (seen: string) =>
    new HiltError('INTERNAL', "hilt's reaper did not start", {
      expected: `"ready" from \`${argv}\` within ${READY_MS} ms`,
      seen,
      hint: 'without it a hilt killed mid-run would leave its targets running; check the build (pnpm build) and the load of the machine',
    });
  return new Promise<number>((resolve, reject) => {
    let said = '';
    const timer = setTimeout(() => done(failed(`nothing after ${READY_MS} ms`)), READY_MS);
    const done = (e?: HiltError) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      if (e) return reject(e);
      child.stdout?.destroy(); // it writes nothing more
      resolve(now() - t0);
    };
    const onData = (d: Buffer) => {
      said += d.toString();
      if (said.startsWith('ready\n') || said.startsWith('ready\r\n')) done();
      else if (said.length > 100 || said.includes('\n')) done(failed(`it said ${JSON.stringify(said.slice(0, 100))}`));
    };
    const onExit = (code: number | null, signal: string | null) => done(failed(`it exited (${code ?? signal}) first`));
    const onError = (e: Error) => done(failed(e.message));
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

// One per hilt process: every part of a run registers with it.
export const reaper = new Reaper();
