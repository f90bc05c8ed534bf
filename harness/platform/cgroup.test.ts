// The cgroup parsers on the kernel's own text, and a real group on this machine: a helper that
// leaves with `setsid env -i` is still a member after its parent died, and cgroup.kill ends it.
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../wait.ts';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cgroup2Mount, cgroupEvents, containment, ownCgroup, ProcessGroup, removeStaleGroups, removeTree } from './cgroup.ts';

describe('parsers', () => {
  it('finds the cgroup v2 mount on a hybrid and a pure v2 system', () => {
    const hybrid =
      'tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n';
    expect(cgroup2Mount(hybrid)).toBe('/sys/fs/cgroup/unified');
    expect(cgroup2Mount('cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0\n')).toBe('/sys/fs/cgroup');
    expect(cgroup2Mount('cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n')).toBeUndefined();
  });
  it("reads this process's group from /proc/self/cgroup (the 0:: line)", () => {
    expect(ownCgroup('9:name=systemd:/\n4:memory:/x\n0::/\n')).toBe('/');
    expect(ownCgroup('0::/user.slice/user-1000.slice/session-2.scope\n')).toBe('/user.slice/user-1000.slice/session-2.scope');
    expect(ownCgroup('4:memory:/x\n')).toBeUndefined();
  });
  it('reads populated and frozen from cgroup.events', () => {
    expect(cgroupEvents('populated 1\nfrozen 0\n')).toEqual({ populated: true, frozen: false });
    expect(cgroupEvents('populated 0\nfrozen 1\n')).toEqual({ populated: false, frozen: true });
  });
});

const c = containment();
afterAll(() => c.ok && removeTree(c.root)); // hilt's group of this test process (no reaper here)
describe.skipIf(!c.ok)('a real group (needs cgroup v2 writable here: root, or a delegated group)', () => {
  it('keeps a setsid env -i helper after its parent died; cgroup.kill ends it and the group goes', async () => {
    const g = ProcessGroup.under(c.ok ? c.root : '', `test-${process.pid}-${Date.now()}`);
    // stdio ignored: the helper would hold our pipes open, and execa waits for them.
    const parent = execa(g.launchPrefix()[0]!, [...g.launchPrefix().slice(1), 'sh', '-c', 'setsid env -i sleep 30 & exec sleep 30'], {
      reject: false,
      stdio: 'ignore',
    });
    const two = await pollUntil(() => g.members().length === 2 || undefined, { deadlineMs: 3000, intervalMs: 10 });
    expect(two.ok, `members: ${g.members()}`).toBe(true);
    expect(g.members()).toContain(parent.pid);
    parent.kill('SIGKILL');
    await parent;
    const left = g.members();
    expect(left).toHaveLength(1); // the helper: no marker, another session, reparented; still in the group
    expect(g.populated()).toBe(true);
    const r = await g.killAll(2000);
    expect(r.ended).toBe(true);
    expect(g.members()).toEqual([]);
    expect(g.remove()).toBe(true);
  });

  it("a dead hilt's group is ended and removed by the next hilt: its members killed, then the group", async () => {
    const parent = dirname(c.ok ? c.root : '');
    const stale = new ProcessGroup(join(parent, 'hilt-999997')); // no such pid: /proc has no 999997
    const member = execa(stale.launchPrefix()[0]!, [...stale.launchPrefix().slice(1), 'sleep', '30'], { reject: false, stdio: 'ignore' });
    expect((await pollUntil(() => stale.members().length === 1 || undefined, { deadlineMs: 3000, intervalMs: 10 })).ok).toBe(true);
    removeStaleGroups(parent);
    expect((await member).signal).toBe('SIGKILL');
    removeStaleGroups(parent); // empty now: removed
    expect(existsSync(stale.path)).toBe(false);
  });
});
