// The rig lock: its pure parts (key to path, owner.json, the stale decision), then real locks in
// os.tmpdir(): a second acquisition waits for the first, a deadline miss names the holder, a dead
// or reused owner is taken over, and several keys are taken in sorted order and rolled back.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { reaper } from '../cleanup/reaper.ts';
import { HiltError, isHiltError } from '../errors.ts';
import { pollUntil } from '../wait.ts';
import {
  acquireRigLocks,
  describeHolder,
  liveness,
  lockPath,
  parseOwner,
  parseStatLiveness,
  staleReason,
  type LockOwner,
  type RigLock,
} from './lock.ts';

const since = '2026-01-02T16:20:05.000Z';
const owner = (o: Partial<LockOwner> = {}): LockOwner => ({ pid: 1234, key: 'k', purpose: 'scenario kill9', since, ...o });

describe('lock paths and owner.json', () => {
  test('a key maps to hilt-lock-<first 16 hex of its sha256> in the temp dir', () => {
    const key = 'server unix:/run/user/1000/pulse/native';
    const hex = createHash('sha256').update(key).digest('hex').slice(0, 16);
    expect(lockPath(key)).toBe(join(tmpdir(), `hilt-lock-${hex}`));
    expect(lockPath(key, '/x')).toBe(`/x/hilt-lock-${hex}`);
    expect(lockPath('device alsa_output.usb-1')).not.toBe(lockPath('device alsa_output.usb-2'));
  });

  test('/proc/<pid>/stat: the state and field 22, the start time, past a comm with spaces and parentheses', () => {
    const rest = Array.from({ length: 30 }, (_, i) => String(i + 4)).join(' '); // fields 4.. hold their own number
    expect(parseStatLiveness(`42 (a) b (c)) S ${rest}`)).toEqual({ state: 'S', startTime: 22 });
    expect(parseStatLiveness(`42 (z) Z 1 2`)).toEqual({ state: 'Z', startTime: undefined });
    expect(parseStatLiveness('')).toBeUndefined();
  });

  test('owner.json: read back, or unreadable when malformed or naming no real pid', () => {
    const o = owner({ startTime: 99, reaper: { pid: 77, startTime: 100 } });
    expect(parseOwner(JSON.stringify(o))).toEqual(o);
    expect(parseOwner('{"pid": 12')).toBeUndefined();
    expect(parseOwner('')).toBeUndefined();
    expect(parseOwner('null')).toBeUndefined();
    expect(parseOwner(JSON.stringify({ ...o, pid: 0 }))).toBeUndefined(); // kill(0, 0) would ask about our own group
    expect(parseOwner(JSON.stringify({ pid: 5 }))).toBeUndefined();
    expect(parseOwner(JSON.stringify({ ...o, reaper: { pid: -1 } }))?.reaper).toBeUndefined();
  });

  test('the holder as a waiter reads it', () => {
    expect(describeHolder(owner())).toMatch(/^hilt pid 1234 \(scenario kill9\) since \d\d:\d\d:\d\d$/);
    expect(describeHolder(undefined)).toBe('a hilt run that has not written owner.json yet');
  });
});

describe('staleReason', () => {
  const alive = (startTime?: number) => ({ alive: true, startTime });
  const dead = { alive: false };

  test('a live owner holds it, whatever its age; a start time unknown on either side is no evidence of reuse', () => {
    expect(staleReason({ owner: owner({ startTime: 5 }), ageMs: 1e9, ownerNow: alive(5) })).toBeUndefined();
    expect(staleReason({ owner: owner(), ageMs: 0, ownerNow: alive(5) })).toBeUndefined();
    expect(staleReason({ owner: owner({ startTime: 5 }), ageMs: 0, ownerNow: alive() })).toBeUndefined();
  });

  test('a dead owner, or its pid now another process, is stale', () => {
    expect(staleReason({ owner: owner(), ageMs: 0, ownerNow: dead })).toBe('owner pid 1234 is gone');
    expect(staleReason({ owner: owner({ startTime: 5 }), ageMs: 0, ownerNow: alive(6) })).toBe(
      'pid 1234 is now another process (its start time differs)',
    );
  });

  test("a dead owner's lock is left while its own reaper (the same process) still sweeps", () => {
    const o = owner({ reaper: { pid: 77, startTime: 8 } });
    expect(staleReason({ owner: o, ageMs: 0, ownerNow: dead, reaperNow: alive(8) })).toBeUndefined();
    expect(staleReason({ owner: o, ageMs: 0, ownerNow: dead, reaperNow: dead })).toBe('owner pid 1234 is gone');
    expect(staleReason({ owner: o, ageMs: 0, ownerNow: dead, reaperNow: alive(9) })).toBe('owner pid 1234 is gone');
  });

  test('no owner.json: held for 2 s after the dir was made (its holder is writing it), stale after', () => {
    expect(staleReason({ owner: undefined, ageMs: 1999 })).toBeUndefined();
    expect(staleReason({ owner: undefined, ageMs: 2500 })).toBe('no readable owner.json 2.5 s after the lock was made');
  });
});

describe.runIf(process.platform !== 'win32')('rig locks in the temp dir', () => {
  const keys: string[] = [];
  const held: RigLock[] = [];
  // Unique per test and per process: parallel runs of this file never meet.
  const key = (name: string): string => {
    const k = `test ${process.pid} ${randomBytes(4).toString('hex')} ${name}`;
    keys.push(k);
    return k;
  };
  const acquire = async (ks: string[], deadlineMs: number, purpose: string, lines: string[] = []): Promise<RigLock> => {
    const lock = await acquireRigLocks(ks, { deadlineMs, purpose, onWait: (l) => lines.push(l) });
    held.push(lock);
    return lock;
  };
  const ownerOf = (k: string): LockOwner | undefined => parseOwner(readFileSync(join(lockPath(k), 'owner.json'), 'utf8'));
  // A stale lock as a dead or killed run leaves it.
  const plant = (k: string, o?: Partial<LockOwner>): void => {
    mkdirSync(lockPath(k));
    if (o) writeFileSync(join(lockPath(k), 'owner.json'), JSON.stringify(owner({ key: k, purpose: 'planted', ...o })));
  };
  const deadPid = async (): Promise<number> => {
    const c = spawn('true', [], { stdio: 'ignore' });
    await new Promise((resolve) => c.once('exit', resolve));
    return c.pid!;
  };

  afterEach(async () => {
    vi.restoreAllMocks();
    for (const l of held.splice(0)) await l.release();
    for (const k of keys.splice(0)) {
      const p = lockPath(k);
      rmSync(p, { recursive: true, force: true });
      for (const f of readdirSync(dirname(p)).filter((f) => f.startsWith(`${basename(p)}.`)))
        rmSync(join(dirname(p), f), { recursive: true });
    }
  });

  test('a second acquisition of the same key waits, says who holds it, and gets it once the first releases', async () => {
    const k = key('server');
    const track = vi.spyOn(reaper, 'trackDir');
    const untrack = vi.spyOn(reaper, 'untrackDir');
    const first = await acquire([k], 1000, 'test first');
    expect(first.paths).toEqual([lockPath(k)]);
    expect(first.waitedMs).toBe(0);
    expect(ownerOf(k)).toMatchObject({ pid: process.pid, key: k, purpose: 'test first', reaper: { pid: reaper.pid } });
    if (process.platform === 'linux') expect(ownerOf(k)?.startTime).toBe((await liveness(process.pid)).startTime);
    expect(track).toHaveBeenCalledWith(lockPath(k));

    const lines: string[] = [];
    const second = acquire([k], 5000, 'test second', lines);
    setTimeout(() => void first.release(), 300);
    const got = await second;
    expect(got.waitedMs).toBeGreaterThan(200);
    expect(ownerOf(k)).toMatchObject({ pid: process.pid, purpose: 'test second' });
    expect(untrack).toHaveBeenCalledWith(lockPath(k));
    expect(lines).toHaveLength(1);
    const [before, after] = [`waiting for the rig: held by hilt pid ${process.pid} (test first) since `, `, key ${k}; waiting up to 5 s`];
    expect(lines[0]!.startsWith(before) && lines[0]!.endsWith(after)).toBe(true);
    expect(lines[0]!.slice(before.length, -after.length)).toMatch(/^\d\d:\d\d:\d\d$/);

    await got.release();
    await got.release(); // idempotent
    expect(existsSync(lockPath(k))).toBe(false);
  });

  test('a holder that has not written owner.json yet (two runs started together) is named once it has', async () => {
    const k = key('together');
    plant(k); // the other run's mkdir, its owner.json a moment later
    setTimeout(
      () => writeFileSync(join(lockPath(k), 'owner.json'), JSON.stringify(owner({ key: k, pid: process.pid, purpose: 'test other' }))),
      150,
    );
    setTimeout(() => rmSync(lockPath(k), { recursive: true, force: true }), 400);
    const lines: string[] = [];
    await acquire([k], 5000, 'test waiter', lines);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^waiting for the rig: held by hilt pid ${process.pid} \\(test other\\) since `));
  });

  test('a long wait says so again every 10 s, with the seconds waited', async () => {
    const k = key('long');
    const first = await acquire([k], 1000, 'test first');
    const lines: string[] = [];
    const real = performance.now.bind(performance);
    let jump = 0; // the clock pushed on instead of a real 10 s wait
    vi.spyOn(performance, 'now').mockImplementation(() => real() + jump);
    const second = acquire([k], 60_000, 'test second', lines);
    expect((await pollUntil(() => lines.length === 1, { deadlineMs: 1000 })).ok).toBe(true);
    jump = 10_500;
    expect((await pollUntil(() => lines.length === 2, { deadlineMs: 1000 })).ok).toBe(true);
    await first.release();
    expect((await second).waitedMs).toBeGreaterThan(10_000);
    expect(lines[0]).toMatch(/^waiting for the rig: .*; waiting up to 60 s$/);
    expect(lines[1]).toMatch(
      new RegExp(`^still waiting for the rig \\(1[01] s of 60 s\\): held by hilt pid ${process.pid} \\(test first\\)`),
    );
    expect(lines).toHaveLength(2);
  });

  test('a deadline miss is RIG_BUSY naming the holder, and leaves the holder its lock', async () => {
    const k = key('device');
    const first = await acquire([k], 1000, 'scenario kill9');
    const e = await acquireRigLocks([k], { deadlineMs: 300, purpose: 'test late' }).catch((err: unknown) => err);
    expect(isHiltError(e, 'RIG_BUSY')).toBe(true);
    const busy = e as HiltError;
    expect(busy.expected).toBe('the lock free within 0.3 s');
    expect(busy.seen).toMatch(new RegExp(`^held by hilt pid ${process.pid} \\(scenario kill9\\) since \\d\\d:\\d\\d:\\d\\d \\(lock `));
    expect(busy.hint).toBe(
      `wait for that run to finish, or end it (kill ${process.pid}); a lock whose owner is gone is taken over automatically`,
    );
    expect(busy.message).toContain(k);
    expect(ownerOf(k)).toMatchObject({ pid: process.pid, purpose: 'scenario kill9' });
    await first.release();
    expect(existsSync(lockPath(k))).toBe(false);
  });

  test('a lock whose owner pid is dead is taken over at once, and says so', async () => {
    const k = key('dead');
    const pid = await deadPid();
    plant(k, { pid });
    const lines: string[] = [];
    const lock = await acquire([k], 2000, 'test taker', lines);
    expect(lock.waitedMs).toBe(0);
    expect(ownerOf(k)).toMatchObject({ pid: process.pid, purpose: 'test taker' });
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^taking over the rig lock of hilt pid ${pid} \\(planted\\).*owner pid ${pid} is gone`)),
    ]);
    await lock.release();
    expect(existsSync(lockPath(k))).toBe(false);
  });

  test.runIf(process.platform === 'linux')(
    'a lock whose pid now belongs to another process (start time differs) is taken over',
    async () => {
      const k = key('reused');
      plant(k, { pid: process.pid, startTime: (await liveness(process.pid)).startTime! - 1 });
      const lines: string[] = [];
      await acquire([k], 2000, 'test taker', lines);
      expect(lines[0]).toMatch(/is now another process/);
      expect(ownerOf(k)?.purpose).toBe('test taker');
    },
  );

  test('a lock dir without owner.json is held for 2 s after it was made, then taken over', async () => {
    const young = key('ownerless young');
    const old = key('ownerless old');
    plant(young);
    plant(old);
    const past = new Date(Date.now() - 10_000);
    utimesSync(lockPath(old), past, past);
    await expect(acquireRigLocks([young], { deadlineMs: 200, purpose: 'test' })).rejects.toThrow(/has not written owner.json yet/);
    await acquire([old], 1000, 'test taker');
    expect(ownerOf(old)?.purpose).toBe('test taker');
  });

  test('a dead owner whose reaper still runs keeps its lock until the reaper is done', async () => {
    const k = key('reaping');
    const sweeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      plant(k, { pid: await deadPid(), reaper: { pid: sweeper.pid! } });
      await expect(acquireRigLocks([k], { deadlineMs: 300, purpose: 'test' })).rejects.toThrow(/the rig is busy/);
      const lines: string[] = [];
      const lock = acquire([k], 3000, 'test taker', lines);
      expect((await pollUntil(() => lines.length > 0, { deadlineMs: 1000 })).ok).toBe(true);
      sweeper.kill('SIGKILL');
      expect((await lock).waitedMs).toBeGreaterThan(0);
      expect(lines).toEqual([expect.stringMatching(/^waiting for the rig/), expect.stringMatching(/^taking over .* is gone/)]);
    } finally {
      sweeper.kill('SIGKILL');
    }
  });

  test('several keys are taken in sorted order, once each; a miss on a later one releases the earlier ones', async () => {
    const [a, b, c] = [key('a'), key('b'), key('c')].sort() as [string, string, string];
    const all = await acquire([c, a, b, a], 1000, 'test multi');
    expect(all.paths).toEqual([a, b, c].map((k) => lockPath(k)));
    await all.release();
    expect([a, b, c].some((k) => existsSync(lockPath(k)))).toBe(false);

    const blocker = await acquire([c], 1000, 'test blocker');
    const e = await acquireRigLocks([c, b, a], { deadlineMs: 300, purpose: 'test multi' }).catch((err: unknown) => err);
    expect(isHiltError(e, 'RIG_BUSY')).toBe(true);
    expect((e as HiltError).message).toContain(c);
    expect(existsSync(lockPath(a)) || existsSync(lockPath(b))).toBe(false);
    await blocker.release();
  });

  test('release leaves a lock that owner.json says is no longer ours', async () => {
    const k = key('taken');
    const lock = await acquire([k], 1000, 'test');
    writeFileSync(join(lockPath(k), 'owner.json'), JSON.stringify(owner({ pid: process.ppid, key: k, purpose: 'successor' })));
    await lock.release();
    expect(ownerOf(k)?.purpose).toBe('successor');
  });
});
