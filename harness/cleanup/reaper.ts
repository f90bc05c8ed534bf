// The reaper guarantees hilt leaves nothing behind, even when hilt itself is SIGKILLed: every
// child pid and temp dir is registered with a detached helper that cleans up when our pipe to it
// closes, which the kernel does for us however we die. The helper is the platform's (Linux and
// macOS: harness/platform/reaper.sh).
import { spawn, type ChildProcess } from 'node:child_process';
import { platform as current, type Platform } from '../platform/index.ts';

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

  trackDir(path: string): void {
    this.write(`dir ${path}`);
  }

  // Normal end: closing the pipe makes the reaper sweep whatever is still registered and exit.
  close(): void {
    this.child?.stdin?.end();
    this.child = undefined;
  }
}

// One per hilt process: every part of a run registers with it.
export const reaper = new Reaper();
