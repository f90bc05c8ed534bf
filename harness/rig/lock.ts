// One device, one run: a lock per audio server and per device, so a second hilt run on the same
// machine waits for the first instead of mixing its audio into it. A lock is a directory made by
// mkdir (atomic: EEXIST means held) with an owner.json saying who holds it; a lock whose owner is
// gone is taken over, and the reaper removes the locks of a hilt that was SIGKILLed.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reaper } from '../cleanup/reaper.ts';
import { HiltError } from '../errors.ts';
import { now, pollUntil } from '../wait.ts';

export interface LockOwner {
  pid: number;
  key: string;
  purpose: string;
  since: string; // ISO time
  startTime?: number; // /proc/<pid>/stat field 22 (Linux): tells a reused pid from the owner
  reaper?: { pid: number; startTime?: number }; // the owner's reaper: it removes the lock if the owner dies
}

// What is true of a process now: alive (a zombie is not), and its start time where the OS says.
export interface Liveness {
  alive: boolean;
  startTime?: number;
}

// What a waiter knows about a held lock when it decides whether it is stale.
export interface LockFacts {
  owner: LockOwner | undefined; // undefined: owner.json missing or unreadable
  ageMs: number; // since the lock dir's mtime
  ownerNow?: Liveness;
  reaperNow?: Liveness;
}

export interface RigLock {
  paths: string[]; // the lock dirs held, in sorted key order
  waitedMs: number; // 0 when every lock was free (or stale) at once
  release(): Promise<void>; // idempotent: a finally and a signal handler may both call it
}

export interface RigLockOptions {
  deadlineMs: number;
  purpose: string; // says who holds the rig: "scenario kill9"
  onWait?: (line: string) => void; // a waiting run says why it is not starting, not silence
}

// A holder killed between mkdir and writing owner.json leaves a dir without one: stale after this.
export const OWNERLESS_STALE_MS = 2000;
const NOTE_EVERY_MS = 10_000;

export const lockPath = (key: string, dir = tmpdir()): string =>
  join(dir, `hilt-lock-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`);

// /proc/<pid>/stat: "pid (comm) S ppid ... starttime(22) ..."; comm may hold spaces and parentheses.
export function parseStatLiveness(text: string): { state: string; startTime?: number } | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = text.slice(close + 2).split(' ');
  const start = Number(rest[19]);
  return { state: rest[0] ?? '?', startTime: Number.isSafeInteger(start) ? start : undefined };
}

const isPid = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) > 0;
const optionalInt = (n: unknown): number | undefined => (Number.isSafeInteger(n) ? (n as number) : undefined);

// owner.json as written by writeOwner; anything else is unreadable (a pid of 0 would signal our own group).
export function parseOwner(text: string): LockOwner | undefined {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null || !isPid(o.pid) || typeof o.since !== 'string') return undefined;
  const r = o.reaper as Record<string, unknown> | undefined;
  return {
    pid: o.pid,
    key: typeof o.key === 'string' ? o.key : '',
    purpose: typeof o.purpose === 'string' ? o.purpose : '',
    since: o.since,
    startTime: optionalInt(o.startTime),
    reaper: r && typeof r === 'object' && isPid(r.pid) ? { pid: r.pid, startTime: optionalInt(r.startTime) } : undefined,
  };
}

// The same process as recorded: alive, and not a reused pid (start times compared where both are known).
const sameProcess = (recordedStart: number | undefined, live: Liveness | undefined): boolean =>
  !!live?.alive && (recordedStart === undefined || live.startTime === undefined || live.startTime === recordedStart);

// Why a held lock may be taken over, or undefined while it is rightly held.
export function staleReason(f: LockFacts): string | undefined {
  const o = f.owner;
  if (!o) {
    if (f.ageMs <= OWNERLESS_STALE_MS) return undefined;
    return `no readable owner.json ${(f.ageMs / 1000).toFixed(1)} s after the lock was made`;
  }
  if (sameProcess(o.startTime, f.ownerNow)) return undefined;
  // The dead owner's reaper still sweeps and will remove this dir: taking it now would lose ours to it.
  if (o.reaper && sameProcess(o.reaper.startTime, f.reaperNow)) return undefined;
  return f.ownerNow?.alive ? `pid ${o.pid} is now another process (its start time differs)` : `owner pid ${o.pid} is gone`;
}

const clock = (iso: string): string => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toTimeString().slice(0, 8);
};
const seconds = (ms: number): string => (ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(1));

export const describeHolder = (o: LockOwner | undefined): string =>
  o ? `hilt pid ${o.pid} (${o.purpose || 'no purpose given'}) since ${clock(o.since)}` : 'a hilt run that has not written owner.json yet';

// Liveness by kill(pid, 0) (EPERM: alive, another user's); on Linux a zombie is dead and the start time is read.
export async function liveness(pid: number): Promise<Liveness> {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return { alive: false };
  }
  if (process.platform !== 'linux') return { alive: true };
  const st = parseStatLiveness(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''));
  if (!st) return { alive: true };
  return { alive: st.state !== 'Z' && st.state !== 'X', startTime: st.startTime };
}

interface Seen {
  owner: LockOwner | undefined;
  stale: string | undefined;
}

// undefined: the dir is gone (released meanwhile).
async function inspect(path: string): Promise<Seen | undefined> {
  const st = await stat(path).catch(() => undefined);
  if (!st) return undefined;
  const owner = parseOwner(await readFile(join(path, 'owner.json'), 'utf8').catch(() => ''));
  const facts: LockFacts = {
    owner,
    ageMs: Date.now() - st.mtimeMs,
    ownerNow: owner ? await liveness(owner.pid) : undefined,
    reaperNow: owner?.reaper ? await liveness(owner.reaper.pid) : undefined,
  };
  return { owner, stale: staleReason(facts) };
}

// Moved aside first, so a racing waiter that took the lock over meanwhile is not removed: what was
// moved is judged again where nobody else reaches it, and a live lock goes back.
async function takeOver(path: string): Promise<void> {
  const grave = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, grave);
  } catch {
    return; // gone already, or not ours to move (another user's): the next attempt sees which
  }
  const seen = await inspect(grave);
  if (seen && !seen.stale) await rename(grave, path).catch(() => {});
  else await rm(grave, { recursive: true, force: true });
}

interface Held {
  path: string;
  owner: LockOwner;
}

type Attempt = { held: Held } | { holder: LockOwner | undefined };

const startTimeOf = async (pid: number): Promise<number | undefined> => (await liveness(pid)).startTime;

async function attempt(key: string, path: string, purpose: string, say: (line: string) => void): Promise<Attempt> {
  // A few rounds: a stale lock taken over, or one released between mkdir and reading it, is retried at once.
  for (let round = 0; round < 3; round++) {
    try {
      await mkdir(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const seen = await inspect(path);
      if (!seen) continue;
      if (!seen.stale) return { holder: seen.owner };
      say(`taking over the rig lock of ${describeHolder(seen.owner)}: ${seen.stale}; key ${key}`);
      await takeOver(path);
      continue;
    }
    // Tracked before owner.json is written: a kill in between still leaves no dir behind.
    reaper.trackDir(path);
    const reaperPid = reaper.pid;
    const owner: LockOwner = {
      pid: process.pid,
      key,
      purpose,
      since: new Date().toISOString(),
      startTime: await startTimeOf(process.pid),
      reaper: reaperPid ? { pid: reaperPid, startTime: await startTimeOf(reaperPid) } : undefined,
    };
    try {
      // Written aside and renamed in: a reader never sees half a file.
      await writeFile(join(path, 'owner.json.tmp'), JSON.stringify(owner, null, 2) + '\n');
      await rename(join(path, 'owner.json.tmp'), join(path, 'owner.json'));
    } catch (e) {
      reaper.untrackDir(path);
      await rm(path, { recursive: true, force: true });
      throw e;
    }
    return { held: { path, owner } };
  }
  return { holder: undefined };
}

async function releaseOne(h: Held): Promise<void> {
  // Untracked first: killed between the two, the dir is left for the stale rule, never reaped from a successor.
  reaper.untrackDir(h.path);
  const owner = parseOwner(await readFile(join(h.path, 'owner.json'), 'utf8').catch(() => ''));
  if (owner?.pid === h.owner.pid && owner.since === h.owner.since) await rm(h.path, { recursive: true, force: true });
}

// Takes every key's lock, in sorted order (two runs never hold one each and wait for the other),
// waiting up to deadlineMs in all; on failure the ones already taken are released.
export async function acquireRigLocks(keys: string[], opts: RigLockOptions): Promise<RigLock> {
  const start = now();
  const held: Held[] = [];
  let waitedMs = 0;
  // A take-over that keeps failing (another user's lock we may not move) is said once, not every poll.
  const said = new Set<string>();
  const say = (line: string): void => {
    if (!said.has(line)) opts.onWait?.(line);
    said.add(line);
  };
  try {
    for (const key of [...new Set(keys)].sort()) {
      const path = lockPath(key);
      const first = await attempt(key, path, opts.purpose, say);
      if ('held' in first) {
        held.push(first.held);
        continue;
      }
      let holder = first.holder;
      const waitStart = now();
      let noted = waitStart;
      // Who holds it is said once known: a run that took the lock a moment ago may not have written
      // owner.json yet (two runs started together), so an unknown holder is said only after a second.
      let announced = false;
      const announce = () => {
        if (announced || (!holder && now() - waitStart < 1000)) return;
        announced = true;
        opts.onWait?.(`waiting for the rig: held by ${describeHolder(holder)}, key ${key}; waiting up to ${seconds(opts.deadlineMs)} s`);
      };
      announce();
      const got = await pollUntil(
        async () => {
          const a = await attempt(key, path, opts.purpose, say);
          if ('held' in a) return a.held;
          holder = a.holder;
          announce();
          if (now() - noted >= NOTE_EVERY_MS) {
            noted = now();
            const s = Math.round((noted - start) / 1000);
            opts.onWait?.(
              `still waiting for the rig (${s} s of ${seconds(opts.deadlineMs)} s): held by ${describeHolder(holder)}, key ${key}`,
            );
          }
          return undefined;
        },
        { deadlineMs: Math.max(0, opts.deadlineMs - (waitStart - start)), intervalMs: 100 },
      );
      waitedMs += now() - waitStart;
      if (!got.ok || !got.value) throw busy(key, path, holder, opts.deadlineMs);
      held.push(got.value);
    }
  } catch (e) {
    for (const h of held.reverse()) await releaseOne(h).catch(() => {});
    throw e;
  }
  let released: Promise<void> | undefined;
  return {
    paths: held.map((h) => h.path),
    waitedMs,
    release: () =>
      (released ??= (async () => {
        for (const h of [...held].reverse()) await releaseOne(h);
      })()),
  };
}

function busy(key: string, path: string, holder: LockOwner | undefined, deadlineMs: number): HiltError {
  return new HiltError('RIG_BUSY', `the rig is busy: another hilt run holds it (key ${key})`, {
    expected: `the lock free within ${seconds(deadlineMs)} s`,
    seen: `held by ${describeHolder(holder)} (lock ${path})`,
    hint:
      `wait for that run to finish, or end it (kill ${holder?.pid ?? 'PID'}); ` + 'a lock whose owner is gone is taken over automatically',
  });
}
