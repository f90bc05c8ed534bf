// The reaper guarantees hilt leaves nothing behind, even when hilt itself is SIGKILLed: every
// child pid, temp dir and module hilt loaded on a server not its own is registered with a detached
// helper that cleans up when our pipe to it closes, which the kernel does for us however we die.
// The helper is the platform's (Linux and macOS: harness/platform/reaper.sh).
import { spawn, type ChildProcess } from 'node:child_process';
import { platform as current, type Platform } from '../platform/index.ts';

const pulseModuleLine = (index: number, address: string): boolean =>
  Number.isSafeInteger(index) && index >= 0 && address !== '' && !/\s/.test(address);

export class Reaper {
  private child: ChildProcess | undefined;
  private readonly platform: Platform;

  constructor(platform: Platform = current) {
    this.platform = platform;
  }

  private write(line: string): void {
    if (!this.child) {
      const [file, ...args] = this.platform.reaperArgv();
      // detached: its own session, so a Ctrl-C to hilt's process group cannot kill it first.
      this.child = spawn(file!, args, { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
      this.child.unref();
      (this.child.stdin as unknown as { unref?: () => void }).unref?.();
      this.child.stdin?.on('error', () => {});
    }
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
  }
}

// One per hilt process: every part of a run registers with it.
export const reaper = new Reaper();
