// Containment of a target: a group of its own where the OS can make one (Linux: cgroup v2), so
// that whatever it starts is found after it ended, however it escaped (env -i, setsid, a double
// fork). Three detectors find a straggler: its group, the marker in its environment, the process
// tree seen while the target ran; each straggler says which found it and how it escaped.
import { reaper } from '../cleanup/reaper.ts';
import { platform, type ProcessInfo, type ProcessOrigin, type TargetGroup } from '../platform/index.ts';
import type { TargetSpec } from './config.ts';

let rootTracked = false;

// Why a target gets no group, or undefined when it gets one.
export function noGroupReason(spec: Pick<TargetSpec, 'wine'>): string | undefined {
  // wineserver, shared by every Windows program of the prefix, would read as the target's escapee.
  // On Windows itself a Windows target runs natively, in a job object of its own.
  if (spec.wine && platform.os !== 'win32') {
    return 'a Wine target: wineserver is shared by the prefix (a job object per target is the Windows way)';
  }
  const c = platform.containment();
  return c.ok ? undefined : `${c.why}; to get one: ${c.fix}`;
}

// A new group for one launch, or undefined (noGroupReason says why). hilt's root group is handed
// to the reaper at once: its members are killed and it is removed however hilt ends.
export function groupFor(spec: Pick<TargetSpec, 'wine'>, name: string): TargetGroup | undefined {
  if (noGroupReason(spec) !== undefined) return undefined;
  const c = platform.containment();
  // A job has no root to remove: each is held by its target's launcher and ends with it.
  if (c.ok && c.kind !== 'job' && !rootTracked) {
    reaper.trackCgroup(c.root);
    rootTracked = true;
  }
  return platform.newGroup(name);
}

export type Detector = 'group' | 'marker' | 'tree';

// A process still running after its target ended: who it is, which detectors found it, how it escaped.
export interface Straggler extends ProcessInfo {
  cmdline?: string;
  foundBy?: Detector[];
  how?: string[];
}

// How a straggler got away from its target, from what the OS says of it. Pure.
// `stragglers`: the others found, so a child of one of them is said as such, not as reparented.
// `where`: on Windows (os win32) nothing is re-parented (a ppid names a parent that may have ended),
// and a process of a target with a job (hasGroup) that is not in it (inGroup false) broke away from it:
// a child joins its parent's job unless started with CREATE_BREAKAWAY_FROM_JOB.
export function howEscaped(
  o: ProcessOrigin,
  target: { mark: string; markEnv: string; sessionId?: number },
  stragglers: number[] = [],
  where: { os?: NodeJS.Platform; hasGroup?: boolean; inGroup?: boolean } = {},
): string[] {
  const how: string[] = [];
  const windows = where.os === 'win32';
  if (windows && where.hasGroup && !where.inGroup) how.push('broke away from its job');
  if (o.env && !o.env.includes(`${target.markEnv}=${target.mark}`)) how.push(`environment cleared (no ${target.markEnv})`);
  if (target.sessionId !== undefined && o.sessionId !== target.sessionId) how.push(`a session of its own (${o.sessionId})`);
  if (stragglers.includes(o.ppid)) how.push(`child of ${o.ppid}`);
  else if (windows) how.push(`its parent (pid ${o.ppid}) has ended`);
  else how.push(o.ppid === 1 ? 'reparented to init' : `reparented to pid ${o.ppid}`);
  return how;
}
