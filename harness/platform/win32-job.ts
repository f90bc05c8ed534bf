// Containment on Windows: each target runs in a job object of its own, made and held by hilt's
// launcher (hilt-winrun --job NAME) with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, so every process the
// target starts is born in it and ends with it. hilt finds the job by its name (hilt-winproc
// job-pids), ends every member at once (TerminateJobObject) and waits until none is left.
// What a job cannot hold: a child started with CREATE_BREAKAWAY_FROM_JOB (the launcher allows it, so
// hilt can see the bug); it is found by the process tree instead (its ppid still names its parent).
import { now, pollUntil } from '../wait.ts';
import type { Containment, TargetGroup } from './platform.ts';
import { EXIT_NOT_FOUND, parseJob, winproc, winprocFailed, winprocMissing, winprocSync, WINRUN, type WinprocRun } from './win32-proc.ts';

// A job's live members from a `job-pids NAME` run: none when no job has that name.
function membersOf(name: string, r: WinprocRun): number[] {
  if (r.exitCode === EXIT_NOT_FOUND) return [];
  const job = r.exitCode === 0 ? parseJob(r.stdout) : undefined;
  if (!job) throw winprocFailed(['job-pids', name], r);
  return job.pids;
}

// The exit code the members of a killed job get: taskkill /F's, as `kill -9` is Linux's.
export const JOB_KILL_CODE = 1;

// Jobs are named in the session's namespace (Local\), one per launch, by hilt's pid and the launch's mark.
export const jobName = (name: string): string => `Local\\hilt-${process.pid}-${name.replace(/[^\w.-]/g, '_')}`;

export function jobContainment(): Containment {
  const missing = winprocMissing();
  if (missing) {
    return {
      ok: false,
      why: `the job helpers are not built (${missing})`,
      fix: 'pnpm build:native:win (CMake and MinGW-w64: MSYS2 mingw64 on Windows)',
    };
  }
  return { ok: true, root: `Local\\hilt-${process.pid}`, kind: 'job' };
}

export class JobGroup implements TargetGroup {
  constructor(readonly path: string) {}

  static named(name: string): JobGroup {
    return new JobGroup(jobName(name));
  }

  // The launcher makes the named job, puts the program in it suspended, then lets it run.
  launchPrefix(): string[] {
    return [WINRUN, '--job', this.path];
  }

  // The processes in the job now (the list holds live ones only). No job by that name: its
  // launcher has ended and closed it, and the close ended every member (kill on close).
  members(): number[] {
    return membersOf(this.path, winprocSync(['job-pids', this.path]));
  }

  // TerminateJobObject: every member at once, then wait until none is left. Asynchronous, so a
  // target's exit meanwhile is timed when it happens, not after a blocked event loop. killedAt:
  // when the helper that made the kill returned (its own start is hilt's cost, not the target's).
  async killAll(deadlineMs: number): Promise<{ ended: boolean; waitedMs: number; killedAt?: number }> {
    const t0 = now();
    const args = ['job-kill', this.path, String(JOB_KILL_CODE)];
    const r = await winproc(args);
    if (r.exitCode === EXIT_NOT_FOUND) return { ended: true, waitedMs: now() - t0 };
    if (r.exitCode !== 0) throw winprocFailed(args, r);
    const killedAt = now();
    const empty = async () => membersOf(this.path, await winproc(['job-pids', this.path])).length === 0 || undefined;
    const gone = await pollUntil(empty, { deadlineMs, intervalMs: 10 });
    return { ended: gone.ok, waitedMs: now() - t0, killedAt };
  }

  // A job cannot be frozen as a whole: suspending each thread of each member races with the threads
  // and children they start meanwhile (NtSuspendProcess is per process, undocumented). Said, not faked.
  freeze(_frozen: boolean, _deadlineMs: number): Promise<{ ok: boolean; waitedMs: number }> {
    return Promise.resolve({ ok: false, waitedMs: 0 });
  }

  // The job object goes with its last handle, the launcher's: nothing to remove, only to check.
  remove(): boolean {
    return this.members().length === 0;
  }
}
