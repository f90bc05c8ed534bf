// Containment on Linux: each target runs in a cgroup v2 group of its own, under one group of this
// hilt process. Whatever a process does to its environment (env -i), its session (setsid) or its
// parent (a double fork), it stays in the group it was born in: once the target has ended, any
// member is a process that escaped it. cgroup.kill ends them all at once; cgroup.events says
// "populated 0" when none is left. No controller is enabled: kill and freeze are the core's own.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { now, pollUntil } from '../wait.ts';
import type { Containment, TargetGroup } from './platform.ts';

// Where cgroup v2 is mounted: /sys/fs/cgroup on a pure v2 system, /sys/fs/cgroup/unified on a hybrid one.
export function cgroup2Mount(mounts: string): string | undefined {
  return mounts
    .split('\n')
    .map((l) => l.split(' '))
    .find((f) => f[2] === 'cgroup2')?.[1];
}

// This process's group in the v2 hierarchy: the "0::/path" line of /proc/self/cgroup.
export function ownCgroup(text: string): string | undefined {
  return /^0::(\/.*)$/m.exec(text)?.[1];
}

// "populated 0|1" and "frozen 0|1" from cgroup.events.
export function cgroupEvents(text: string): { populated: boolean; frozen: boolean } {
  return { populated: /^populated 1$/m.test(text), frozen: /^frozen 1$/m.test(text) };
}

const read = (file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

let root: Containment | undefined;

// Where hilt's group goes (under its own group: writable as root, or where systemd delegated it:
// `systemd-run --user --scope -p Delegate=yes`), proven by making it and removing it again: it is
// made for real with the first target's group, by a caller that has handed it to the reaper.
// Said, not thrown, when impossible.
export function containment(): Containment {
  if (root) return root;
  const fix =
    'run hilt as root, or in a group delegated to you: systemd-run --user --scope -p Delegate=yes pnpm scenario ...' +
    ' (cgroup v2 must be mounted: mount -t cgroup2 none /sys/fs/cgroup/unified)';
  const mount = cgroup2Mount(read('/proc/self/mounts'));
  const own = ownCgroup(read('/proc/self/cgroup'));
  if (!mount || own === undefined) return (root = { ok: false, why: 'no cgroup v2 hierarchy is mounted', fix });
  const dir = join(mount, own, `hilt-${process.pid}`);
  removeStaleGroups(join(mount, own));
  try {
    mkdirSync(dir, { recursive: false });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') return (root = { ok: false, why: `cannot make a group in ${join(mount, own)} (${code})`, fix });
  }
  const killable = existsSync(join(dir, 'cgroup.kill'));
  removeTree(dir);
  if (!killable) {
    return (root = { ok: false, why: 'this kernel has no cgroup.kill (it came in Linux 5.14)', fix: 'run hilt on Linux 5.14 or later' });
  }
  return (root = { ok: true, root: dir });
}

// One target's group. The target joins it before it execs (launchPrefix), so even its first
// child is born inside.
export class ProcessGroup implements TargetGroup {
  constructor(readonly path: string) {
    mkdirSync(path, { recursive: true }); // hilt's own group again too, if a check removed it
  }

  static under(parent: string, name: string): ProcessGroup {
    return new ProcessGroup(join(parent, name.replace(/[^\w.-]/g, '_')));
  }

  // sh writes its own pid into the group, then execs the command in place (same pid).
  launchPrefix(): string[] {
    return ['sh', '-c', 'echo $$ > "$0/cgroup.procs" || exit 126; exec "$@"', this.path];
  }

  // Every live process in the group now (threads are not listed: cgroup.procs is per process). A
  // zombie stays a member until its parent reaps it (a container's init may take its time), but it
  // is dead already: nothing to wait for, kill or name.
  members(): number[] {
    const dead = (pid: number) => /^[ZX]/.test(read(`/proc/${pid}/stat`).replace(/^.*\) /s, '')) || !existsSync(`/proc/${pid}`);
    return read(join(this.path, 'cgroup.procs'))
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((pid) => !dead(pid));
  }

  populated(): boolean {
    return cgroupEvents(read(join(this.path, 'cgroup.events'))).populated && this.members().length > 0;
  }

  // SIGKILL to every member at once, then wait until the kernel says none is left.
  async killAll(deadlineMs: number): Promise<{ ended: boolean; waitedMs: number }> {
    const t0 = now();
    if (!this.populated()) return { ended: true, waitedMs: 0 };
    writeFileSync(join(this.path, 'cgroup.kill'), '1');
    const gone = await pollUntil(() => !this.populated() || undefined, { deadlineMs, intervalMs: 5 });
    return { ended: gone.ok, waitedMs: now() - t0 };
  }

  // cgroup.freeze: every member stops where it is (no signal it could see), until thawed; done when
  // cgroup.events says so.
  async freeze(frozen: boolean, deadlineMs: number): Promise<{ ok: boolean; waitedMs: number }> {
    const t0 = now();
    writeFileSync(join(this.path, 'cgroup.freeze'), frozen ? '1' : '0');
    const done = await pollUntil(() => cgroupEvents(read(join(this.path, 'cgroup.events'))).frozen === frozen || undefined, {
      deadlineMs,
      intervalMs: 2,
    });
    return { ok: done.ok, waitedMs: now() - t0 };
  }

  // An empty group is removed; a populated one cannot be (EBUSY), and is left for the reaper.
  remove(): boolean {
    try {
      rmdirSync(this.path);
      return true;
    } catch {
      return !existsSync(this.path);
    }
  }
}

// Groups of hilt processes that are gone (their reaper could not remove them): whatever is still in
// one was started by hilt and is ended (cgroup.kill), and the groups are removed. Once per process.
export function removeStaleGroups(parent: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(parent).filter((n) => /^hilt-\d+$/.test(n));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.slice('hilt-'.length));
    if (pid === process.pid || existsSync(`/proc/${pid}`)) continue;
    const dir = join(parent, name);
    if (cgroupEvents(read(join(dir, 'cgroup.events'))).populated) {
      try {
        writeFileSync(join(dir, 'cgroup.kill'), '1'); // the next run's removal finds it empty
      } catch {
        /* not ours to kill: left alone */
      }
    }
    removeTree(dir);
  }
}

// hilt's own group at exit: every target group below it, then itself (the reaper does the same
// after a SIGKILL). Members are killed first; a group with members cannot be removed.
export function removeTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeTree(join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch {
    /* still populated: the reaper kills and removes it */
  }
}
