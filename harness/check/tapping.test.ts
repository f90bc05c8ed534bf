// The tapping-fault judge on observations recorded from real runs of the reference engine
// (fixtures/recorded/observations/tapping-*.json: kill9, crash and sigterm, as they are and under
// each bug switch): every check passes on one and fails on another, and each bug switch's
// diagnosis names the layer it takes away. Where no real run failed a check, the test changes
// the one field that check reads, and says so.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../root.ts';
import { judgeTapping, type TappingObservation } from './tapping.ts';

const recorded = (name: string): TappingObservation =>
  JSON.parse(readFileSync(join(ROOT, 'fixtures/recorded/observations', `tapping-${name}.json`), 'utf8')) as TappingObservation;
const scenarioOf = (name: string) => (name.startsWith('multi-app') ? 'multi-app' : name.split('-')[0]!);
const judged = (name: string, o = recorded(name)) => judgeTapping(o, scenarioOf(name));
const failedIds = (name: string) =>
  judged(name)
    .checks.filter((c) => c.verdict === 'fail')
    .map((c) => c.id);
const check = (name: string, id: string, o = recorded(name)) => judged(name, o).checks.find((c) => c.id === id);

describe('judgeTapping on real runs: the verdicts those runs had', () => {
  it.each([
    ['kill9', []], // the guardian destroys the taps at the death
    ['kill9-noguardian', []], // no guardian: the relaunch's sweep does it, later
    ['kill9-nogs', ['resumed-after-relaunch', 'no-orphans', 'back-to-baseline']],
    ['kill9-first-guardian', []], // guardian SIGKILLed first: the engine starts a new one, which cleans after the SIGKILL
    ['kill9-first-guardian-ignored', ['guardian-death-noticed', 'guardian-replaced', 'cleaned-by']], // never noticed: the sweep, later
    // noticed, but the new guardian could not start (its binary removed during the run): the sweep, later
    ['kill9-first-guardian-none', ['guardian-replaced', 'cleaned-by']],
    ['crash-audio', []], // SIGSEGV on the audio thread: the crash guard destroys the taps
    ['crash-nocg', ['cleaned-by']], // no crash guard: the guardian cleans up after the death
    ['crash-dbu', ['crash-guard-live-only']], // destroy before untrack: the guard destroys a dead tap again
    ['crash-stackoverflow-audio', []], // unbounded recursion on libpulse's thread: the guard runs on its alternate stack
    ['crash-stackoverflow-noalt', ['cleaned-by']], // no alternate stack: the kernel kills it before the guard runs
    ['crash-heap-worker', []], // a heap overflow malloc aborts on: the guard allocates nothing, so it runs
    ['crash-heap-alloc', ['exit', 'died-of-crash', 'resumed', 'cleaned-by']], // the guard allocates: deadlocked, SIGKILLed
    ['crash-terminate', []], // an exception escapes a worker: terminate, abort, the guard
    ['crash-terminate-exits', ['exit', 'cleaned-by']], // the terminate hook exits 1: no signal, no guard
    ['crash-crashincrash-audio', []], // a second thread aborts during the cleanup: held; the process dies of the first
    ['crash-crashincrash-bug', ['exit', 'second-crash-held', 'cleaned-by']], // let through: dies of the second, mid-cleanup
    ['sigterm', []],
    ['sigterm-nosig', ['exit', 'cleaned-by']], // no SIGTERM handler: it dies of the signal
    ['multi-app', []], // three victims, six taps: the guardian destroys them all
    ['multi-app-noguardian', ['resumed', 'resumed', 'resumed', 'no-orphans', 'back-to-baseline']], // all six stay, all three muted
  ])('%s fails %j', (name, ids) => {
    expect(failedIds(name)).toEqual(ids);
    expect(judged(name).diagnosis === undefined).toBe(ids.length === 0);
  });
});

describe('each check, pass and fail', () => {
  it('objects-before-fault: the tap was on the server, else the fault proves nothing (changed: none seen)', () => {
    expect(check('kill9', 'objects-before-fault')?.verdict).toBe('pass');
    expect(check('kill9', 'objects-before-fault', { ...recorded('kill9'), objectsBefore: [] })?.verdict).toBe('fail');
  });

  it('exit: SIGKILL for kill9, exit 0 for a stop', () => {
    expect(check('kill9', 'exit')).toMatchObject({ verdict: 'pass', measured: 'SIGKILL' });
    expect(check('sigterm-nosig', 'exit')).toMatchObject({ verdict: 'fail', measured: 'SIGTERM', limit: 'exit 0' });
  });

  it('resumed: without a relaunch within resume_ms (changed: never heard again)', () => {
    expect(check('kill9', 'resumed')?.verdict).toBe('pass');
    const { resumeMs: _, ...silent } = recorded('kill9');
    expect(check('kill9', 'resumed', silent)?.message).toMatch(/SIGKILL to victim tone present: did not happen within the 1000 ms/);
  });

  it('resumed with several victims: one check each, about that victim (subject), its own tone', () => {
    const each = judged('multi-app').checks.filter((c) => c.id === 'resumed');
    expect(each.map((c) => [c.subject, c.verdict])).toEqual([
      ['hilt-victim-1', 'pass'],
      ['hilt-victim-2', 'pass'],
      ['hilt-victim-3', 'pass'],
    ]);
    expect(each[1]!.name).toBe('hilt-victim-2 (1100 Hz) resumed without a relaunch');
    const o = recorded('multi-app');
    const two = { ...o, victims: o.victims!.map((v, i) => (i === 1 ? { name: v.name, hz: v.hz } : v)) };
    expect(check('multi-app', 'resumed', two)).toMatchObject({ subject: 'hilt-victim-1', verdict: 'pass' });
    expect(
      judgeTapping(two, 'multi-app')
        .checks.filter((c) => c.verdict === 'fail')
        .map((c) => c.subject),
    ).toEqual(['hilt-victim-2']);
  });

  it('taps-before-fault: the number of taps where one is expected (multi-app: six)', () => {
    expect(check('multi-app', 'taps-before-fault')).toMatchObject({ verdict: 'pass', measured: 6, limit: 6 });
    const o = recorded('multi-app');
    const five = { ...o, taps: { expected: 6, seen: o.taps!.seen.slice(1) } };
    expect(check('multi-app', 'taps-before-fault', five)).toMatchObject({ verdict: 'fail', measured: 5 });
    expect(check('kill9', 'taps-before-fault')).toBeUndefined();
  });

  it('resumed-after-relaunch: asked only when the victim stayed muted and the engine was launched again', () => {
    expect(check('kill9', 'resumed-after-relaunch')).toBeUndefined();
    expect(check('kill9-noguardian', 'resumed-after-relaunch')?.verdict).toBe('pass');
    expect(check('kill9-nogs', 'resumed-after-relaunch')?.verdict).toBe('fail');
  });

  it('no-orphans: the objects of the dead pid, named', () => {
    expect(check('kill9', 'no-orphans')?.verdict).toBe('pass');
    expect(check('kill9-nogs', 'no-orphans')?.message).toMatch(/^\d+ orphan\(s\) of pid \d+ remain after SIGKILL and the relaunch: /);
  });

  it('cleaned-by: the layer the scenario exists for', () => {
    expect(check('crash-audio', 'cleaned-by')).toMatchObject({ verdict: 'pass', measured: 'crash-guard' });
    expect(check('crash-nocg', 'cleaned-by')).toMatchObject({ verdict: 'fail', measured: 'guardian', limit: 'crash-guard' });
    expect(check('kill9', 'cleaned-by')).toBeUndefined(); // kill9 allows the guardian or the sweep
  });

  it("guardian-death-noticed: the engine's line about its guardian's death, within notice_ms of the kill", () => {
    expect(check('kill9-first-guardian', 'guardian-death-noticed')).toMatchObject({ verdict: 'pass', limit: 1000, unit: 'ms' });
    expect(check('kill9-first-guardian', 'guardian-death-noticed')?.measured).toBeLessThan(1000);
    expect(check('kill9-first-guardian-ignored', 'guardian-death-noticed')?.message).toMatch(
      /^guardian pid \d+ SIGKILLed to the engine's line about it: did not happen within the 1000 ms deadline$/,
    );
    expect(check('kill9', 'guardian-death-noticed')).toBeUndefined(); // asked only with --set first=guardian
  });

  it('guardian-replaced: a new guardian tracking every tap (changed: one tap short; no guardian could start)', () => {
    expect(check('kill9-first-guardian', 'guardian-replaced')).toMatchObject({ verdict: 'pass', measured: 1, limit: 1 });
    expect(check('kill9-first-guardian', 'guardian-replaced')?.message).toMatch(
      /^guardian pid \d+ died \(signal SIGKILL\); new guardian pid \d+ tracks 1 of the engine's 1 tap\(s\)$/,
    );
    expect(check('kill9-first-guardian-ignored', 'guardian-replaced')?.message).toMatch(/the engine said nothing about it within 1000 ms$/);
    const o = recorded('kill9-first-guardian');
    const short = { ...o, guardianFirst: { ...o.guardianFirst!, taps: 2 } };
    expect(check('kill9-first-guardian', 'guardian-replaced', short)).toMatchObject({ verdict: 'fail', measured: 1, limit: 2 });
    expect(check('kill9-first-guardian-none', 'guardian-replaced')?.message).toMatch(
      /^guardian pid \d+ died; the engine runs without a guardian: cannot start the guardian .*: No such file or directory$/,
    );
  });

  it('cleaned-by with the guardian killed first: the new guardian, not the sweep', () => {
    expect(check('kill9-first-guardian', 'cleaned-by')).toMatchObject({ verdict: 'pass', measured: 'guardian' });
    expect(recorded('kill9-first-guardian').cleanup!.log.guardian!.by).toBe(
      recorded('kill9-first-guardian').guardianFirst!.said!.started!.pid,
    );
    expect(check('kill9-first-guardian-ignored', 'cleaned-by')).toMatchObject({ verdict: 'fail', measured: 'relaunch-sweep' });
  });

  it('crash-guard-live-only: asked when the guard reported; fails on a destroy of a dead object', () => {
    expect(check('crash-audio', 'crash-guard-live-only')?.verdict).toBe('pass');
    expect(check('crash-dbu', 'crash-guard-live-only')?.message).toMatch(
      /^crash guard tried to destroy module \d+ \(.*\): already destroyed/,
    );
    expect(check('crash-nocg', 'crash-guard-live-only')).toBeUndefined();
  });

  it('relaunch-clean-stop: the relaunched engine stops with exit 0 (changed: it died of SIGTERM)', () => {
    expect(check('kill9-noguardian', 'relaunch-clean-stop')?.verdict).toBe('pass');
    const o = recorded('kill9-noguardian');
    const died = { ...o, relaunch: { ...o.relaunch!, stopped: { name: 'SIGTERM', clean: false } } };
    expect(check('kill9-noguardian', 'relaunch-clean-stop', died)?.message).toBe('relaunched hilt-engine: SIGTERM');
  });

  it('back-to-baseline: nothing new on the server once every process has ended', () => {
    expect(check('kill9', 'back-to-baseline')?.verdict).toBe('pass');
    expect(check('kill9-nogs', 'back-to-baseline')?.message).toMatch(/^\d+ object\(s\) not in the baseline remain: /);
  });

  it('died-of-crash: asked of a crash with a kind; fails with where the threads waited when it outlived its deadline', () => {
    expect(check('crash-heap-worker', 'died-of-crash')).toMatchObject({ verdict: 'pass', limit: 5000 });
    expect(check('crash-heap-alloc', 'died-of-crash')?.message).toMatch(/^still alive 5000 ms after .*: main thread in poll .*; SIGKILL$/);
    expect(check('crash-audio', 'died-of-crash')).toBeUndefined();
  });

  it('second-crash-held: a crash during the cleanup waits for it (changed: no second crash seen)', () => {
    expect(check('crash-crashincrash-audio', 'second-crash-held')).toMatchObject({ verdict: 'pass', measured: 'held' });
    expect(check('crash-crashincrash-bug', 'second-crash-held')).toMatchObject({ verdict: 'fail', measured: 'let through' });
    const o = recorded('crash-crashincrash-audio');
    const none = { ...o, cleanup: { ...o.cleanup!, log: { ...o.cleanup!.log, secondCrash: undefined } } };
    expect(check('crash-crashincrash-audio', 'second-crash-held', none)?.message).toMatch(/the fault proved nothing/);
  });

  it('shutdown-deadline: asked of a stop (changed: past its deadline)', () => {
    expect(check('sigterm', 'shutdown-deadline')?.verdict).toBe('pass');
    expect(check('kill9', 'shutdown-deadline')).toBeUndefined();
    const slow = { ...recorded('sigterm'), exitMs: 4000 };
    expect(check('sigterm', 'shutdown-deadline', slow)).toMatchObject({ verdict: 'fail', measured: 4000 });
  });
});

describe('each bug switch is named by its diagnosis', () => {
  it.each([
    ['kill9-nogs', /no guardian destroyed them at the death \(no-guardian\) and the relaunched engine did not sweep them .*\(no-sweep\)/],
    [
      'kill9-first-guardian-ignored',
      /^the guardian was killed first and the engine never noticed: .*\(ignore-guardian-death\).* left its 1 tap\(s\) to the next launch's/,
    ],
    ['kill9-first-guardian-none', /^the guardian was killed first; the engine noticed but runs without one \(cannot start the guardian /],
    ['crash-nocg', /the crash guard is not installed \(no-crashguard\)\. Cleaned by: guardian \(after the death, not before it\)/],
    ['crash-dbu', /destroyed module \d+ a second time .*\(destroy-before-untrack\)/],
    ['sigterm-nosig', /died of SIGTERM instead of stopping: it has no SIGTERM handler \(no-signal-handlers\)/],
    ['crash-stackoverflow-noalt', /^the crash guard never ran: a stack overflow with no alternate stack \(no-altstack\)/],
    [
      'crash-heap-alloc',
      new RegExp(
        '^the crash guard deadlocked in the allocator: hilt-worker waits in __GI___lll_lock_wait_private <- __GI___libc_malloc <- ' +
          '.*onCrash, in a handler for a crash in malloc_printerr <- _int_malloc.*\\(guard-allocates\\)',
      ),
    ],
    [
      'crash-terminate-exits',
      /^std::terminate \(uncaught exception of type St13runtime_error, .*exit 1 instead of SIGABRT.*\(terminate-exits\)/,
    ],
    [
      'crash-crashincrash-bug',
      /^a second thread crashed \(SIGABRT on 'hilt-crash2'\) .*\(second-crash-kills\): the engine died of SIGABRT mid-cleanup/,
    ],
    [
      'multi-app-noguardian',
      /^6 of 6 taps of the SIGKILLed engine .* keep hilt-victim-1, hilt-victim-2, hilt-victim-3 muted: no guardian .*\(no-guardian\)/,
    ],
  ])('%s', (name, said) => {
    expect(judged(name).diagnosis).toMatch(said);
  });
});
