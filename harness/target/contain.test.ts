// How a straggler escaped, from what the OS says of it (the shapes /proc gave for real escapes:
// `setsid env -i play ...` from a shell, dbus-daemon --fork, a plain background child).
import { describe, expect, it } from 'vitest';
import { containmentLine } from '../rig/check/facts.ts';
import { howEscaped, noGroupReason } from './contain.ts';

const target = { mark: 'app-100-1', markEnv: 'HILT_TARGET_MARK', sessionId: 50 };

describe('howEscaped', () => {
  it('setsid env -i: no marker, a session of its own, reparented to init', () => {
    expect(howEscaped({ cmdline: 'play -n', sessionId: 812, ppid: 1, env: ['PATH=/usr/bin'] }, target)).toEqual([
      'environment cleared (no HILT_TARGET_MARK)',
      'a session of its own (812)',
      'reparented to init',
    ]);
  });
  it('a daemon that kept its environment: only the new session and the reparenting', () => {
    const o = { cmdline: 'dbus-daemon --fork', sessionId: 900, ppid: 1, env: ['HILT_TARGET_MARK=app-100-1'] };
    expect(howEscaped(o, target)).toEqual(['a session of its own (900)', 'reparented to init']);
  });
  it('a child of another straggler is said as its child; a subreaper is named; an unreadable environment says nothing of it', () => {
    expect(howEscaped({ cmdline: 'sleep 9', sessionId: 50, ppid: 812, env: undefined }, target, [812, 813])).toEqual(['child of 812']);
    expect(howEscaped({ cmdline: 'sleep 9', sessionId: 50, ppid: 77, env: undefined }, target)).toEqual(['reparented to pid 77']);
  });
  it('Windows: a process of a jobbed target outside its job broke away; its ppid names a parent that ended (no re-parenting)', () => {
    const helper = { cmdline: 'hilt-engine-win.exe --helper --hz 880', sessionId: 50, ppid: 212, env: ['HILT_TARGET_MARK=app-100-1'] };
    const where = { os: 'win32' as const, hasGroup: true, inGroup: false };
    expect(howEscaped(helper, target, [], where)).toEqual(['broke away from its job', 'its parent (pid 212) has ended']);
    expect(howEscaped(helper, target, [212], { ...where, inGroup: true })).toEqual(['child of 212']);
  });
});

describe('containment as a fact', () => {
  it('a job per target on Windows: what rig check says', () => {
    const ok = containmentLine({ ok: true, root: 'Local\\hilt-9', kind: 'job' });
    expect(ok).toMatchObject({ id: 'containment', status: 'ok', required: false });
    expect(ok.text).toMatch(/^job objects are available: a job object per target \(named Local\\hilt-9-\*/);
  });
  it('a Wine target gets no group, and says why', () => {
    expect(noGroupReason({ wine: true })).toMatch(/wineserver is shared/);
  });
  it('rig check: a group per target, or what is missing and how to get it (never required)', () => {
    const ok = containmentLine({ ok: true, root: '/sys/fs/cgroup/unified/hilt-9' });
    expect(ok).toMatchObject({ id: 'containment', status: 'ok', required: false });
    expect(ok.text).toMatch(/a cgroup v2 group per target \(under \/sys\/fs\/cgroup\/unified\)/);
    const no = containmentLine({ ok: false, why: 'no cgroup v2 hierarchy is mounted', fix: 'run hilt as root, or ...' });
    expect(no).toMatchObject({
      status: 'missing',
      text: 'no group per target: no cgroup v2 hierarchy is mounted',
      fix: 'run hilt as root, or ...',
    });
  });
});
