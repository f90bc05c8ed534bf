// Reads the reference engine's log (its stdout, which its guardian shares) for what each defence
// layer did: which taps it made, whether a stop was requested, what the crash guard and the
// guardian destroyed and what they failed to, and whether it came back after the audio server
// restarted. The verdicts still come from the server's inventory and the audio; this says who did
// the cleaning, in the engine's own words.

export type CleanupLayer = 'clean-stop' | 'crash-guard' | 'guardian' | 'none';

export interface LayerReport {
  tracked: number; // objects the layer found to destroy
  destroyed: number;
  failures: { module: number; reason: string }[];
  ms?: number; // how long the destroying took, as the layer measured it
}

export interface EngineLog {
  pid?: number;
  created: { name: string; module: number }[];
  destroyed: { name: string; module: number }[]; // by the engine's own teardown
  stopRequested?: string; // "signal SIGTERM", "stop command", "stdin closed"
  crashGuard?: LayerReport & { signal: string; thread: string };
  guardian?: LayerReport & { enginePid: number; by?: number }; // by: the pid of the guardian that cleaned
  guardianPid?: number; // the guardian the engine last started ("guardian: started pid N", or a replacement's)
  // The engine saw its guardian die first: how it ended, and the new guardian (with the objects it
  // tracks and the ms from the death seen to them tracked) or why it runs without one.
  guardianDeath?: { pid: number; how?: string; started?: { pid: number; tracking: number; ms?: number }; without?: string };
  guardInstalled?: { altStackKiB?: number }; // altStackKiB: the alternate signal stack each thread gets
  terminate?: { thread: string; what: string }; // std::terminate's hook: "uncaught exception of type St13runtime_error"
  secondCrash?: { signal: string; thread: string; held: boolean }; // a second thread crashed while the guard ran
  swept: { name: string; module: number; creatorPid: number }[];
  // The last loss of the server connection and how it ended; a later loss starts afresh.
  serverLost?: { reconnecting: boolean; reason: string };
  reconnected?: { ms: number; taps: string[] };
  reconnectFailed?: string;
}

const LINE = /^(hilt-engine|hilt-guardian)\[(\d+)\] \+[\d.]+ms (.*)$/;
// "guardian: pid N died (signal SIGKILL); started pid M, tracking K object(s) in X ms" or
// "guardian: pid N died (signal SIGKILL); running without a guardian: <why>".
const GUARDIAN_DIED = new RegExp(
  String.raw`^guardian: pid (\d+) died(?: \(([^)]*)\))?; ` +
    String.raw`(?:started pid (\d+), tracking (\d+) object\(s\)(?: in ([\d.]+) ms)?|running without a guardian: (.*))$`,
);

function layer(): LayerReport {
  return { tracked: 0, destroyed: 0, failures: [] };
}

export function parseEngineLog(text: string): EngineLog {
  const log: EngineLog = { created: [], destroyed: [], swept: [] };
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw.trim());
    if (!m) continue;
    const [, who, pid, msg] = m as unknown as [string, string, string, string];
    let g: RegExpExecArray | null;
    if (who === 'hilt-engine') {
      log.pid ??= Number(pid);
      if ((g = /^tap: created (\S+) \(module (\d+)\)/.exec(msg))) log.created.push({ name: g[1]!, module: Number(g[2]) });
      else if ((g = /^tap: destroyed (\S+) \(module (\d+)\)/.exec(msg))) log.destroyed.push({ name: g[1]!, module: Number(g[2]) });
      else if ((g = /^stop requested \((.*)\)$/.exec(msg))) log.stopRequested = g[1]!;
      else if ((g = /^server: connection lost \((.*)\); (reconnecting|not reconnecting)/.exec(msg))) {
        log.serverLost = { reconnecting: g[2] === 'reconnecting', reason: g[1]! };
        delete log.reconnected;
        delete log.reconnectFailed;
      } else if ((g = /^server: reconnected after (\d+) ms; taps re-created: (.*)$/.exec(msg)))
        log.reconnected = { ms: Number(g[1]), taps: g[2]!.split(',').filter(Boolean) };
      else if ((g = /^server: reconnect failed after \d+ ms: (.*)$/.exec(msg))) log.reconnectFailed = g[1]!;
      else if ((g = /^guardian: started pid (\d+)/.exec(msg))) log.guardianPid = Number(g[1]);
      else if ((g = GUARDIAN_DIED.exec(msg))) {
        const [, dead, how, started, tracking, ms, without] = g;
        log.guardianDeath = { pid: Number(dead), ...(how && { how }) };
        if (started) {
          log.guardianDeath.started = { pid: Number(started), tracking: Number(tracking), ...(ms && { ms: Number(ms) }) };
          log.guardianPid = Number(started);
        } else log.guardianDeath.without = without!;
      } else if ((g = /^sweep: destroyed orphan (\S+) \(module (\d+), creator pid (\d+)/.exec(msg)))
        log.swept.push({ name: g[1]!, module: Number(g[2]), creatorPid: Number(g[3]) });
      else if (msg.startsWith('crashguard: installed for ')) {
        const kib = /alternate stacks of (\d+) KiB/.exec(msg);
        log.guardInstalled = kib ? { altStackKiB: Number(kib[1]) } : {};
      } else if ((g = /^crashguard: std::terminate on thread '([^']*)': (.*?)(?:; exiting \d+ \(bug switch [^)]*\))?$/.exec(msg)))
        log.terminate = { thread: g[1]!, what: g[2]! };
      else if ((g = /^crashguard: second crash (SIG\w+) on thread '([^']*)' during the cleanup: (held|let through)/.exec(msg)))
        log.secondCrash = { signal: g[1]!, thread: g[2]!, held: g[3] === 'held' };
      else if ((g = /^crashguard: caught (SIG\w+) on thread '([^']*)': destroying (\d+)/.exec(msg)))
        log.crashGuard = { ...layer(), signal: g[1]!, thread: g[2]!, tracked: Number(g[3]) };
      else if (log.crashGuard && (g = /^crashguard: module (\d+) (destroyed|NOT destroyed: (.*))$/.exec(msg))) {
        if (g[2] === 'destroyed') log.crashGuard.destroyed++;
        else log.crashGuard.failures.push({ module: Number(g[1]), reason: g[3]! });
      } else if (log.crashGuard && (g = /^crashguard: destroyed \d+ of \d+ in ([\d.]+)ms/.exec(msg))) log.crashGuard.ms = Number(g[1]);
    } else {
      if ((g = /^engine pid (\d+) died.*?(?:destroying (\d+) tracked|nothing tracked)/.exec(msg)))
        log.guardian = { ...layer(), enginePid: Number(g[1]), tracked: Number(g[2] ?? 0), by: Number(pid) };
      else if (log.guardian && (g = /^module (\d+) (destroyed|NOT destroyed: (.*))$/.exec(msg))) {
        if (g[2] === 'destroyed') log.guardian.destroyed++;
        else log.guardian.failures.push({ module: Number(g[1]), reason: g[3]! });
      } else if (log.guardian && (g = /^destroyed \d+ of \d+ in ([\d.]+)ms/.exec(msg))) log.guardian.ms = Number(g[1]);
    }
  }
  return log;
}

// Who destroyed the engine's taps. The first layer that destroyed something wins: the crash
// guard runs before death, the guardian just after it.
export function cleanupLayer(log: EngineLog): CleanupLayer {
  if (log.stopRequested && log.destroyed.length > 0) return 'clean-stop';
  if (log.crashGuard && log.crashGuard.destroyed > 0) return 'crash-guard';
  if (log.guardian && log.guardian.destroyed > 0) return 'guardian';
  return 'none';
}
