// The server-restart judge: the audio server was restarted under a running target (pipewire-pulse
// alone, then the whole stack). Each time the target either resumed by itself (its sound, or the
// victim through its taps, back within the deadline), stayed alive but silent (the OBS bug: its
// sources shown active, no audio), or exited (right only where its config says it exits). The
// server must come back to what it held, and a reconnect must not leave two of anything.
// Pure: scenarios/server-restart.scenario.ts records it.
import type { InventoryObject } from '../inventory/objects.ts';
import { expectation, type CheckResult, type Judgement } from './check.ts';
import { backToBaseline } from './orphans.ts';

export type RestartPart = 'pulse' | 'stack';
export type RestartOutcome = 'resumed' | 'silent' | 'exited';

export const PART_WORDS: Record<RestartPart, string> = {
  pulse: 'pipewire-pulse restart',
  stack: 'whole-stack restart (pipewire, wireplumber, pipewire-pulse)',
};

export interface RestartRound {
  part: RestartPart;
  downMs: number; // the first SIGTERM to every restarted daemon gone
  backMs: number; // the first SIGTERM to pipewire-pulse answering again
  outcome: RestartOutcome;
  resumeMs?: number; // the first SIGTERM to its sound (the engine: the victim through a new tap) heard again
  exit?: { name: string; crash: boolean }; // how it ended, when it exited
  endedBefore?: boolean; // it had ended by itself before this restart: nothing was restarted under it
  said?: string; // the target's own account of the server going (the engine's log line)
  objectsBefore: string[]; // its objects on the server, kind:name, before the restart
  objectsAfter: string[]; // the same once it resumed (or the deadline passed)
  serverBefore: string[]; // every other object on the server, kind:name (hilt's own made again)
  serverAfter: string[];
}

export interface ServerRestartObservation {
  kind: 'server-restart';
  target: { name: string; pid: number };
  bugs: string[];
  listen: 'victim' | 'own sound' | 'nothing'; // what "resumed" is heard as
  expects: 'resumes' | 'exits'; // its config's expect.serverRestart
  resumeLimitMs: number;
  rounds: RestartRound[];
  notBaseline: InventoryObject[]; // after it stopped at the end
}

// Names with how many more (or fewer) times `b` holds them than `a`: "x" or "x (2 more)".
function excess(a: string[], b: string[]): string[] {
  const count = new Map<string, number>();
  for (const k of a) count.set(k, (count.get(k) ?? 0) - 1);
  for (const k of b) count.set(k, (count.get(k) ?? 0) + 1);
  return [...count].filter(([, n]) => n > 0).map(([k, n]) => (n > 1 ? `${k} (${n} more)` : k));
}

// Which of its objects did not come back (said for a program judged by its objects).
function notBack(r: RestartRound): string {
  const gone = excess(r.objectsAfter, r.objectsBefore);
  return gone.length ? ` (not back: ${gone.slice(0, 4).join(', ')}${gone.length > 4 ? `, and ${gone.length - 4} more` : ''})` : '';
}

function outcomeCheck(o: ServerRestartObservation, r: RestartRound): CheckResult {
  const heard =
    o.listen === 'victim'
      ? 'the victim heard through its taps again'
      : o.listen === 'own sound'
        ? 'its sound back'
        : `its ${r.objectsBefore.length} objects back`;
  const ok =
    r.outcome === 'resumed' || (r.outcome === 'exited' && o.expects === 'exits' && r.exit !== undefined && !r.exit.crash && !r.endedBefore);
  const measured = r.outcome === 'resumed' ? Math.round(r.resumeMs ?? 0) : r.outcome;
  const message = r.endedBefore
    ? `had ended (${r.exit?.name ?? '?'}) before the server restarted: nothing of it ran to be judged (a launcher that exits ` +
      'at once leaves what it started outside what hilt restarts under)'
    : r.outcome === 'resumed'
      ? `resumed by itself: ${heard} ${Math.round(r.resumeMs ?? 0)} ms after the restart began`
      : r.outcome === 'silent'
        ? `alive but silent: still running ${Math.round(o.resumeLimitMs)} ms after the restart began, without ${heard}` +
          `${notBack(r)}${r.said ? `; it said: ${r.said}` : ''}`
        : `exited (${r.exit?.name ?? '?'}) when the server went` +
          (r.exit?.crash ? ': a crash' : o.expects === 'exits' ? ', as its config allows' : '; its config expects it to resume');
  return {
    ...expectation(
      'outcome',
      `${o.target.name} after the ${PART_WORDS[r.part]}`,
      ok,
      measured,
      o.expects === 'exits' ? 'exits' : `resumed within ${o.resumeLimitMs}`,
      r.outcome === 'resumed' ? 'ms' : '',
      message,
    ),
    subject: r.part,
  };
}

export function judgeServerRestart(o: ServerRestartObservation): Judgement {
  const checks: CheckResult[] = [];
  for (const r of o.rounds) {
    checks.push(outcomeCheck(o, r));
    if (r.endedBefore) continue; // nothing was restarted under it: nothing of the server to compare
    const twice = excess(r.objectsBefore, r.objectsAfter);
    checks.push({
      ...expectation(
        'no-duplicates',
        `its objects after the ${r.part} restart, each once`,
        twice.length === 0,
        r.objectsAfter.length,
        `<= ${r.objectsBefore.length}`,
        'objects',
        twice.length ? `more than before: ${twice.join(', ')}` : `${r.objectsBefore.length} before, ${r.objectsAfter.length} after`,
      ),
      subject: r.part,
    });
    const missing = excess(r.serverAfter, r.serverBefore);
    const extra = excess(r.serverBefore, r.serverAfter);
    checks.push({
      ...expectation(
        'server-back',
        `the server holds what it held before the ${r.part} restart`,
        missing.length === 0 && extra.length === 0,
        r.serverAfter.length,
        r.serverBefore.length,
        'objects',
        missing.length || extra.length
          ? [missing.length && `not back: ${missing.join(', ')}`, extra.length && `new: ${extra.join(', ')}`].filter(Boolean).join('; ')
          : `${r.serverBefore.length} objects (besides the target's) before and after, back in ${Math.round(r.backMs)} ms`,
      ),
      subject: r.part,
    });
  }
  checks.push(backToBaseline(o.notBaseline));
  const failed = checks.filter((c) => c.verdict === 'fail');
  return { checks, ...(failed.length && { diagnosis: diagnose(o, failed) }) };
}

function diagnose(o: ServerRestartObservation, failed: CheckResult[]): string {
  const silent = o.rounds.find((r) => r.outcome === 'silent');
  if (silent && o.listen === 'victim') {
    return (
      `after the ${PART_WORDS[silent.part]} ${o.target.name} stayed alive but silent: its taps never came back and the victim ` +
      `was not heard through it within ${o.resumeLimitMs} ms${o.bugs.includes('no-reconnect') ? ' (no-reconnect)' : ''}. ` +
      `It said: ${silent.said ?? 'nothing of the server going'}`
    );
  }
  return failed.map((c) => `${c.name}${c.subject ? ` [${c.subject}]` : ''}: ${c.message}`).join('; ');
}
