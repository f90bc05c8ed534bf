// The tapping-fault judge: the reference engine taps a victim, a fault ends it, and it is held to
// the three proofs: audio resumes (with no relaunch, unless a relaunch's sweep is the allowed last
// resort), no orphans remain, and it ended as the fault says it should; its own log says which
// defence layer cleaned up. Pure: scenarios/lib/targets/reference-engine.ts records it.
import type { Stacks } from '../evidence/gdb-stacks.ts';
import { describeObject, type InventoryObject } from '../inventory/objects.ts';
import type { ExitClass } from '../proc/exit.ts';
import type { CleanupLayer, EngineLog } from '../target/reference/engine-log.ts';
import { exitCheck, expectation, withinLimit, type CheckResult, type Judgement } from './check.ts';
import { backToBaseline } from './orphans.ts';

export interface TappingObservation {
  kind: 'tapping-fault';
  target: { name: string; pid: number };
  // deadlineMs: a stop's, the fault to the process gone; scope: kill9's reach (pid, process group, whole cgroup)
  // kind, hangMs: a crash, what the engine did ("stack-overflow") and how long it may take to die
  fault: { label: string; kind?: string; hangMs?: number; deadlineMs?: number; scope?: 'pid' | 'group' | 'tree' };
  bugs: string[];
  objectsBefore: string[]; // names of its objects on the server before the fault
  taps?: { expected: number; seen: string[] }; // its taps (Pulse modules) before the fault, where a number is expected
  victims?: { name: string; hz: number; resumeMs?: number }[]; // several victims: each one's fault to tone back
  exit: ExitClass;
  expectedExit: { ok: boolean; expected: string };
  exitMs: number; // the fault to the process gone
  // crash: the process outlived its deadline (a crash handler that never returns); where its threads waited
  hang?: { softMs: number; waits: string; endedBy: string; stacks?: Stacks };
  resumeLimitMs: number;
  resumeMs?: number; // the fault to the victim's tone steadily back (after the relaunch, if there was one)
  relaunch?: { resumeMs?: number; stopped: { name: string; clean: boolean } }; // resumeMs: from the relaunch
  left: InventoryObject[]; // its objects on the server once the cleanup had a moment to land
  notBaseline: InventoryObject[]; // objects not in the baseline once every process had ended
  // The engine's own account: who cleaned up, and what each layer reported.
  cleanup?: { layer: CleanupLayer | 'relaunch-sweep'; expectLayer?: CleanupLayer | 'relaunch-sweep'; log: EngineLog };
  guardianFirst?: GuardianFirst;
}

// kill9 --set first=guardian: the guardian (pid) SIGKILLed while the engine had `taps` taps; noticedMs:
// that kill to the engine's line about it (absent: no line within limitMs); said: what the line said.
export interface GuardianFirst {
  pid: number;
  taps: number;
  limitMs: number;
  noticedMs?: number;
  said?: EngineLog['guardianDeath'];
}

const list = (objs: InventoryObject[]) => objs.map(describeObject).join('; ');

export function judgeTapping(o: TappingObservation, scenario: string): Judgement {
  const { target, fault, exit } = o;
  const checks: CheckResult[] = [
    expectation(
      'objects-before-fault',
      'target objects on the server before the fault',
      o.objectsBefore.length > 0,
      o.objectsBefore.length,
      '>= 1',
      'objects',
      `${o.objectsBefore.length} object(s) of pid ${target.pid}: ${[...new Set(o.objectsBefore)].join(', ')}`,
    ),
    exitCheck(o.expectedExit, exit.name, `${target.name} exit after ${fault.label}: ${exit.name} (${exit.description})`),
  ];
  if (o.fault.kind) {
    checks.push(
      expectation(
        'died-of-crash',
        'the crashed engine died on its own',
        !o.hang,
        o.hang ? 'hung' : Math.round(o.exitMs),
        o.hang?.softMs ?? fault.hangMs ?? null,
        'ms',
        o.hang
          ? `still alive ${o.hang.softMs} ms after ${fault.label}: ${o.hang.waits}; ${o.hang.endedBy}`
          : `gone ${Math.round(o.exitMs)} ms after ${fault.label}`,
      ),
    );
  }
  const second = o.cleanup?.log.secondCrash;
  if (o.fault.kind === 'crash-in-crash') {
    checks.push(
      expectation(
        'second-crash-held',
        'a second crash during the cleanup waits for it',
        second?.held === true,
        second ? (second.held ? 'held' : 'let through') : 'none seen',
        'held',
        '',
        second
          ? `${second.signal} on thread '${second.thread}' during the crash guard's cleanup: ${second.held ? 'held' : 'let through'}`
          : 'no second crash reported: the fault proved nothing',
      ),
    );
  }
  if (o.taps) {
    const { expected, seen } = o.taps;
    checks.push(
      expectation(
        'taps-before-fault',
        `${expected} taps on the server`,
        seen.length === expected,
        seen.length,
        expected,
        'taps',
        `taps of pid ${target.pid}: ${seen.join(', ')}`,
      ),
    );
  }
  if (o.victims) {
    for (const v of o.victims) {
      checks.push({
        ...withinLimit(
          'resumed',
          `${v.name} (${v.hz} Hz) resumed without a relaunch`,
          v.resumeMs,
          o.resumeLimitMs,
          'ms',
          `${fault.label} to tone present`,
        ),
        subject: v.name,
      });
    }
  } else if (o.relaunch) {
    checks.push(
      withinLimit(
        'resumed-after-relaunch',
        'tone resumed after relaunch',
        o.relaunch.resumeMs,
        o.resumeLimitMs,
        'ms',
        'relaunch to victim tone present',
      ),
    );
  } else {
    checks.push(
      withinLimit('resumed', 'tone resumed without a relaunch', o.resumeMs, o.resumeLimitMs, 'ms', `${fault.label} to victim tone present`),
    );
  }
  const when = `after ${fault.label}${o.relaunch ? ' and the relaunch' : ''}`;
  checks.push(
    expectation(
      'no-orphans',
      'no orphans of the target',
      o.left.length === 0,
      o.left.length,
      0,
      'objects',
      o.left.length === 0
        ? `no object of pid ${target.pid} remains ${when}`
        : `${o.left.length} orphan(s) of pid ${target.pid} remain ${when}: ${list(o.left)}`,
    ),
  );
  if (o.guardianFirst) checks.push(...guardianFirstChecks(o.guardianFirst));
  const c = o.cleanup;
  if (c?.expectLayer) {
    checks.push(
      expectation(
        'cleaned-by',
        `cleaned by the ${c.expectLayer}`,
        c.layer === c.expectLayer,
        c.layer,
        c.expectLayer,
        '',
        `the engine's taps were destroyed by: ${c.layer}`,
      ),
    );
  }
  const g = c?.log.crashGuard;
  if (g) {
    const f = g.failures;
    checks.push(
      expectation(
        'crash-guard-live-only',
        'crash guard destroyed only live objects',
        f.length === 0,
        f.length,
        0,
        'failed destroys',
        f.length === 0
          ? `crash guard destroyed ${g.destroyed} of ${g.tracked} in ${g.ms ?? '?'} ms`
          : `crash guard tried to destroy ${f.map((x) => `module ${x.module} (${x.reason})`).join(', ')}: ` +
              'already destroyed yet still tracked',
      ),
    );
  }
  if (o.relaunch) {
    const s = o.relaunch.stopped;
    checks.push(
      expectation(
        'relaunch-clean-stop',
        'relaunched target stops cleanly',
        s.clean,
        s.name,
        'exit 0',
        '',
        `relaunched ${target.name}: ${s.name}`,
      ),
    );
  }
  checks.push(backToBaseline(o.notBaseline));
  if (fault.deadlineMs !== undefined) {
    checks.push(
      withinLimit('shutdown-deadline', 'shutdown within its deadline', o.exitMs, fault.deadlineMs, 'ms', `${fault.label} to process gone`),
    );
  }
  const failed = checks.filter((x) => x.verdict === 'fail');
  const diagnosis = diagnoseTapping(o, failed, scenario);
  return { checks, ...(diagnosis && { diagnosis }) };
}

// The engine saw its guardian die at once and put a new one in its place, tracking every tap.
function guardianFirstChecks(g: GuardianFirst): CheckResult[] {
  const said = g.said;
  const started = said?.started;
  return [
    withinLimit(
      'guardian-death-noticed',
      "engine noticed its guardian's death",
      g.noticedMs,
      g.limitMs,
      'ms',
      `guardian pid ${g.pid} SIGKILLed to the engine's line about it`,
    ),
    expectation(
      'guardian-replaced',
      'a new guardian tracks every tap',
      started !== undefined && started.tracking === g.taps,
      started ? started.tracking : null,
      g.taps,
      'objects',
      started
        ? `guardian pid ${g.pid} died${said!.how ? ` (${said!.how})` : ''}; new guardian pid ${started.pid} tracks ` +
            `${started.tracking} of the engine's ${g.taps} tap(s)`
        : said
          ? `guardian pid ${g.pid} died; the engine runs without a guardian: ${said.without}`
          : `guardian pid ${g.pid} died; the engine said nothing about it within ${g.limitMs} ms`,
    ),
  ];
}

// The thread of a hung crash handler that waits on a lock inside the allocator, and where the crash
// itself was: "hilt-worker waits in __lll_lock_wait_private <- malloc <- operator new <- onCrash,
// in a handler for a crash in malloc_printerr <- _int_malloc".
function allocatorWait(stacks: Stacks | undefined): string | undefined {
  const ALLOC = /^(__GI_)*(__libc_)?(malloc|calloc|realloc|free)$|_int_(malloc|free)$|^arena_get|^operator new|malloc_printerr$/;
  const name = (fn: string) =>
    fn
      .replace(/\(anonymous namespace\)::/g, '')
      .replace(/\(.*$/, '')
      .trim();
  for (const t of stacks?.threads ?? []) {
    const fns = t.frames.map((f) => name(f.fn));
    const handler = fns.findIndex((fn) => /onCrash$/.test(fn));
    const alloc = fns.findIndex((fn) => ALLOC.test(fn));
    if (handler < 0 || alloc < 0 || alloc > handler) continue;
    const lock = fns.slice(0, alloc).find((fn) => /lock_wait/.test(fn)) ?? fns[0]!;
    const path = [lock, ...fns.slice(alloc, handler + 1).filter((fn) => ALLOC.test(fn) || /onCrash$/.test(fn))];
    const site = fns.slice(handler + 1).filter((fn) => ALLOC.test(fn));
    return (
      `${t.name ?? `thread ${t.id}`} waits in ${[...new Set(path)].join(' <- ')}` +
      `${site.length ? `, in a handler for a crash in ${[...new Set(site)].join(' <- ')}` : ''}`
    );
  }
  return undefined;
}

// What a failed tapping run means, in the words of the defence layer that failed: each scenario
// names the layer its bug switches take away. Undefined when no check failed, or when none of
// these applies (the failed checks then speak for themselves).
function diagnoseTapping(o: TappingObservation, failed: CheckResult[], scenario: string): string | undefined {
  if (!failed.length) return undefined;
  const log = o.cleanup?.log;
  const silence = o.resumeMs === undefined ? 'never resumed' : `${Math.round(o.resumeMs)} ms of silence`;
  if (scenario === 'kill9') {
    const left = failed.find((x) => x.id === 'no-orphans');
    const scope = o.fault.scope ?? 'pid';
    const gf = o.guardianFirst;
    if (gf && failed.some((x) => ['guardian-death-noticed', 'guardian-replaced', 'cleaned-by'].includes(x.id))) {
      const after = `cleaned by: ${o.cleanup?.layer ?? 'nobody'}, after ${silence}`;
      if (!gf.said) {
        return (
          `the guardian was killed first and the engine never noticed: it ran on without a guardian and said nothing ` +
          `(ignore-guardian-death), so the SIGKILL that followed left its ${gf.taps} tap(s) to ` +
          `${o.relaunch ? "the next launch's sweep" : 'nobody'} (${after}). The engine must watch its guardian's status pipe ` +
          'and start a new one tracking every tap.'
        );
      }
      if (!gf.said.started) {
        return `the guardian was killed first; the engine noticed but runs without one (${gf.said.without}), so ${after}.`;
      }
      return (
        `the guardian was killed first; the engine started pid ${gf.said.started.pid} tracking ${gf.said.started.tracking} of ` +
        `${gf.taps} tap(s), yet ${after}.`
      );
    }
    if (scope === 'group' && failed.some((x) => x.id === 'cleaned-by') && !log?.guardian) {
      return (
        `the guardian died with the engine: the SIGKILL to the engine's process group (kill -9 -PGID, as a shell or a supervisor ` +
        `sends it) took it too, because it stays in the engine's session and process group (guardian-in-group); ` +
        `cleaned by: ${o.cleanup?.layer ?? 'nobody'}, after ${silence}. A guardian must start in a session of its own (setsid).`
      );
    }
    if (!left) return undefined;
    const relaunched = o.relaunch !== undefined;
    const noGuardian =
      scope === 'tree'
        ? 'the kill of the whole cgroup took the guardian too (as it should: only the sweep is left)'
        : log?.guardian
          ? 'the guardian ran but did not destroy them'
          : 'no guardian destroyed them at the death (no-guardian)';
    return (
      `orphan taps of the SIGKILLed engine (pid ${o.target.pid}, dead) survived${relaunched ? ' the relaunch' : ''} ` +
      `and kept the victim muted (${silence}): ${noGuardian}` +
      `${relaunched ? ' and the relaunched engine did not sweep them at start-up (no-sweep)' : ''}. ${left.message}`
    );
  }
  if (scenario === 'multi-app') {
    if (!failed.some((x) => x.id === 'no-orphans')) return undefined;
    const taps = [...new Set(o.left.filter((x) => x.kind === 'pulse-module').map((x) => x.name))];
    const muted = (o.victims ?? []).filter((v) => v.resumeMs === undefined).map((v) => v.name);
    const g = log?.guardian;
    const guardian = g
      ? `the guardian ran but destroyed only ${g.destroyed} of ${g.tracked}`
      : 'no guardian cleaned up at the death (no-guardian)';
    return (
      `${taps.length} of ${o.taps?.expected ?? '?'} taps of the SIGKILLed engine (pid ${o.target.pid}) are still on the server and keep ` +
      `${muted.join(', ') || 'no victim'} muted: ${guardian}; ` +
      `only the next launch's sweep would remove them. Left: ${taps.join(', ')}`
    );
  }
  if (scenario === 'crash') {
    const cg = log?.crashGuard;
    const sig = o.expectedExit.expected;
    const back = o.resumeMs === undefined ? 'never' : `${Math.round(o.resumeMs)} ms`;
    const cleaned = `cleaned by: ${o.cleanup?.layer ?? 'nobody'}; audio back after ${back}`;
    if (o.hang) {
      const inAlloc = allocatorWait(o.hang.stacks);
      const started = cg ? `it caught ${cg.signal} on thread '${cg.thread}' and never wrote its "destroyed" line` : 'no guard line';
      if (inAlloc) {
        return (
          `the crash guard deadlocked in the allocator: ${inAlloc}. The crash (${o.fault.label}) holds the heap's lock ` +
          `(glibc aborts a heap corruption it finds in malloc with the arena locked) ` +
          `and the handler allocates (guard-allocates); ${started}. ` +
          `The engine never died: ${o.hang.endedBy} after ${o.hang.softMs} ms; ${cleaned}. A crash handler must not allocate.`
        );
      }
      return `the crashed engine never died: ${started}; at ${o.hang.softMs} ms ${o.hang.waits}; ${o.hang.endedBy}; ${cleaned}.`;
    }
    const second = log?.secondCrash;
    if (second && !second.held) {
      return (
        `a second thread crashed (${second.signal} on '${second.thread}') while the crash guard cleaned up after ${sig}, and the guard ` +
        `let it through (second-crash-kills): the engine died of ${o.exit.name} mid-cleanup` +
        `${cg ? `, the guard having reported ${cg.destroyed} of ${cg.tracked} destroyed` : ''}; ${cleaned}. ` +
        `A second crash must wait for the first cleanup, and the process die of the first signal.`
      );
    }
    if (log?.terminate && !cg && o.exit.kind !== 'signal' && o.exit.kind !== 'crash') {
      return (
        `std::terminate (${log.terminate.what}, thread '${log.terminate.thread}') ended the engine with ${o.exit.name} instead of ` +
        `SIGABRT: the terminate hook exits (terminate-exits), so no signal was raised and the crash guard never ran; ${cleaned}. ` +
        `A terminate hook must end in abort().`
      );
    }
    if (!cg && o.exit.signal === sig && log?.guardInstalled && o.fault.kind === 'stack-overflow') {
      const alt = log.guardInstalled.altStackKiB;
      return (
        `the crash guard never ran: a stack overflow with no alternate stack ` +
        (alt === undefined
          ? '(no-altstack). '
          : `(the guard reports ${alt} KiB alternate stacks, yet none on this thread or no SA_ONSTACK). `) +
        `The guard was installed, but the kernel had no stack to run it on and killed the engine with ${sig}, no guard line written; ` +
        `${cleaned}${o.cleanup?.layer === 'guardian' ? ' (after the death, not before it)' : ''}.`
      );
    }
    if (cg && cg.failures.length) {
      return (
        `the crash guard destroyed ${cg.failures.map((f) => `module ${f.module}`).join(', ')} a second time (${cg.failures[0]!.reason}): ` +
        `the engine destroyed that tap before untracking it, so the crash inside the destroy left a dead object in the guard's table ` +
        `(destroy-before-untrack). The server reuses module indexes, so the second destroy can hit another app's object.`
      );
    }
    if (!cg && o.exit.signal === sig) {
      const layer = o.cleanup?.layer;
      return (
        `the engine died of ${sig} with its taps in place and no crash-guard report in its log: ` +
        `the crash guard is not installed (no-crashguard). ` +
        `Cleaned by: ${layer}${layer === 'guardian' ? ' (after the death, not before it)' : ''}; ` +
        `audio back after ${o.resumeMs === undefined ? 'never' : Math.round(o.resumeMs) + ' ms'}.`
      );
    }
    return undefined;
  }
  if (scenario === 'sigterm' || scenario === 'sigint') {
    const sig = scenario.toUpperCase();
    if (o.exit.signal !== sig) return undefined;
    return (
      `the engine died of ${sig} instead of stopping: it has no ${sig} handler (no-signal-handlers), ` +
      `so its taps were not destroyed by the engine ` +
      `(cleaned by: ${o.cleanup?.layer}); FineTune's "kill <pid>" layer is missing.`
    );
  }
  return undefined;
}
