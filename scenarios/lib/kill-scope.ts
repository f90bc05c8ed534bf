// How far kill9's SIGKILL reaches (--set scope): the process; its process group (kill -9 -PGID, a
// shell's or a supervisor's group kill: a helper in a session of its own survives it); its whole
// cgroup at once (systemd's KillMode=control-group: nothing it started survives).
import { HiltError } from '../../harness/errors.ts';
import type { ScenarioContext } from '../../harness/scenario/define.ts';
import { noGroupReason } from '../../harness/target/contain.ts';
import type { RunningTarget } from '../../harness/target/launch.ts';
import { now } from '../../harness/wait.ts';

export type KillScope = 'pid' | 'group' | 'tree';

// On Windows the same kills are TerminateProcess and TerminateJobObject (Node's SIGKILL is the former).
export const SCOPE_LABEL: Record<KillScope, string> =
  process.platform === 'win32'
    ? { pid: 'TerminateProcess', group: 'TerminateProcess', tree: 'TerminateJobObject on its job' }
    : { pid: 'SIGKILL', group: 'SIGKILL to its process group', tree: 'SIGKILL to its whole cgroup' };

// The scope asked for; tree needs a group, said as unavailable (with how to get one) before the launch.
export function killScope(ctx: ScenarioContext): KillScope {
  const scope = ctx.params.word('scope') as KillScope;
  const why = scope === 'tree' ? noGroupReason(ctx.target) : undefined;
  if (why) {
    throw new HiltError('RIG_MISSING', `kill9 --set scope=tree needs ${ctx.target.name} in a cgroup of its own, and it has none`, {
      expected: 'a cgroup v2 group per target, to kill every process in it at once',
      seen: why,
      hint: 'use --set scope=pid or scope=group here, or run where a group can be made (`pnpm rig check` says how)',
    });
  }
  return scope;
}

// The target is the leader of its own process group (launched with a session of its own). Returns
// when the kill was made, from which its death is timed (Windows: after hilt-winproc's job-kill).
export async function killByScope(t: RunningTarget, scope: KillScope): Promise<number> {
  if (scope === 'pid') t.child.signal('SIGKILL');
  else if (scope === 'group') process.kill(-t.pid, 'SIGKILL');
  else return (await t.group!.killAll(2000)).killedAt ?? now();
  return now();
}
