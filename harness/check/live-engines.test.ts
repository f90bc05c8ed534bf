// The live-engines judge on observations recorded from real runs (fixtures/recorded/observations/
// live-engines-*.json): exit-with-live-engines as it is, under no-cleanup-hook and under
// static-registry-after-exit, and worker-teardown as it is and under no-cleanup-hook, every end each,
// and its terminate end with a 1 ms deadline. Every check passes on one and fails on another; each
// bug switch's diagnosis names it. Where no real run showed a case (no end measured, a hang), the
// test changes the one field that case reads, and says so.
import { describe, expect, it } from 'vitest';
import { endCrashed, judgeLiveEngines, stoppedBy, type LiveEnginesObservation } from './live-engines.ts';
import { recordings } from './recorded.ts';

const { recorded, find } = recordings<LiveEnginesObservation>('live-engines', judgeLiveEngines);
// The failed checks of one end, by the end's label.
const failedIds = (o: LiveEnginesObservation, label: string) =>
  judgeLiveEngines(o)
    .checks.filter((c) => c.subject === label && c.verdict === 'fail')
    .map((c) => c.id);
const check = (o: LiveEnginesObservation, id: string, label: string) => find(o, id, label);
const MAIN = ['normal exit', 'process.exit(3)', 'uncaught exception'];
const WORKER = ['worker.terminate()', 'worker returns', 'process.exit() in the worker', 'uncaught exception in the worker'];
const ok = recorded('pass');
const wok = recorded('worker-pass');
const CRASHED = ['no-crash-signature', 'engines-stopped', 'back-to-baseline', 'victim-resumed'];
const WORKER_CRASHED = [
  'worker-ended',
  'no-crash-signature',
  'engines-stopped',
  'threads-at-baseline',
  'back-to-baseline',
  'victim-resumed',
];

describe('judgeLiveEngines on real runs: the verdicts those runs had', () => {
  it.each<[string, string, string[]]>([
    ['pass', 'normal exit', []],
    ['pass', 'process.exit(3)', []],
    ['pass', 'uncaught exception', []],
    ['nohook', 'normal exit', ['exit-code', ...CRASHED]], // SIGABRT in a finalizer: its taps stay, the victim stays muted
    ['nohook', 'process.exit(3)', []], // the exit handler stops them: no finalizer runs
    ['nohook', 'uncaught exception', []],
    ['static', 'normal exit', []], // the cleanup hook stops them before the registry goes
    ['static', 'process.exit(3)', ['exit-code', ...CRASHED]],
    ['static', 'uncaught exception', ['exit-code', ...CRASHED]],
    ...WORKER.map((label): [string, string, string[]] => ['worker-pass', label, []]),
    // The whole process aborts: it never reports its threads after the worker.
    ...WORKER.map((label): [string, string, string[]] => ['worker-nohook', label, WORKER_CRASHED]),
    ['worker-deadline', 'worker.terminate()', ['end-deadline']], // --set end_ms=1: a clean end, but later than that
  ])('%s, %s fails %j', (name, label, ids) => {
    const o = recorded(name);
    expect(failedIds(o, label)).toEqual(ids);
    expect(endCrashed(o.ends.find((e) => e.label === label)!)).toBe(ids.includes('no-crash-signature'));
  });

  it('every check is made once per end, the end its subject', () => {
    const main = judgeLiveEngines(recorded('pass')).checks;
    expect(main.map((c) => c.subject)).toEqual(MAIN.flatMap((l) => Array<string>(6).fill(l)));
    expect(main.slice(0, 6).map((c) => c.id)).toEqual([
      'exit-code',
      'no-crash-signature',
      'end-deadline',
      'engines-stopped',
      'back-to-baseline',
      'victim-resumed',
    ]);
    const worker = judgeLiveEngines(recorded('worker-pass')).checks;
    expect(worker.slice(0, 7).map((c) => c.id)).toEqual([
      'worker-ended',
      'no-crash-signature',
      'end-deadline',
      'engines-stopped',
      'threads-at-baseline',
      'back-to-baseline',
      'victim-resumed',
    ]);
  });
});

describe('each check, pass and fail', () => {
  it('exit-code: the code each end must give; a crash is named', () => {
    expect(check(ok, 'exit-code', 'process.exit(3)')).toMatchObject({ verdict: 'pass', measured: 'exit 3', limit: 'exit 3' });
    expect(check(recorded('static'), 'exit-code', 'process.exit(3)')?.message).toBe(
      'the program ended with SIGSEGV (segmentation fault (invalid memory access)); process.exit(3) must end it with exit 3',
    );
  });

  it('worker-ended: the worker ends with its code and the process lives on', () => {
    expect(check(wok, 'worker-ended', 'worker.terminate()')).toMatchObject({ verdict: 'pass', measured: 1 });
    expect(check(recorded('worker-nohook'), 'worker-ended', 'worker.terminate()')?.message).toBe(
      'the whole process ended (SIGABRT) instead of just the worker',
    );
  });

  it('no-crash-signature: a signal or a report in the output', () => {
    expect(check(ok, 'no-crash-signature', 'normal exit')?.message).toBe('no signal, sanitizer report or fatal runtime error');
    expect(check(recorded('nohook'), 'no-crash-signature', 'normal exit')?.message).toBe('seen: SIGABRT');
  });

  it('end-deadline: "ending" to gone, within end_ms (recorded with --set end_ms=1)', () => {
    expect(check(wok, 'end-deadline', 'worker.terminate()')).toMatchObject({ verdict: 'pass', limit: 2000 });
    expect(check(recorded('worker-deadline'), 'end-deadline', 'worker.terminate()')?.message).toMatch(
      /^"ending" to worker gone: \d+ ms \(limit 1 ms\)$/,
    );
    // Changed: no end measured at all.
    const { endMs: _, ...never } = wok.ends[0]!;
    expect(check({ ...wok, ends: [never] }, 'end-deadline', 'worker.terminate()')?.message).toBe(
      '"ending" to worker gone: did not happen within the 2000 ms deadline',
    );
  });

  it('engines-stopped: who stopped them, or the first violations named', () => {
    expect(check(ok, 'engines-stopped', 'normal exit')?.message).toBe(
      '3 engines stopped by the cleanup hook, threads joined, taps destroyed, then freed',
    );
    expect(check(ok, 'engines-stopped', 'process.exit(3)')?.message).toBe(
      '3 engines stopped by the process exit, threads joined, taps destroyed',
    );
    expect(check(recorded('static'), 'engines-stopped', 'uncaught exception')?.message).toMatch(
      /^engine#\d+ never reached stop-requested \(saw: created > started\)/,
    );
    expect(stoppedBy(recorded('nohook').ends[0]!)).toBe('finalizer');
  });

  it('threads-at-baseline: the worker program reports its threads; not reporting is a fail', () => {
    const c = check(wok, 'threads-at-baseline', 'worker returns')!;
    expect(c.verdict).toBe('pass');
    expect(c.measured).toBe(c.limit);
    expect(check(recorded('worker-nohook'), 'threads-at-baseline', 'worker returns')?.message).toBe(
      'the program never reported its thread count after the worker (it did not get that far)',
    );
    expect(check(ok, 'threads-at-baseline', 'normal exit')).toBeUndefined();
  });

  it('back-to-baseline and victim-resumed: what a crash left on the server', () => {
    expect(check(wok, 'back-to-baseline', 'worker returns')).toMatchObject({
      verdict: 'pass',
      name: 'worker returns: inventory back to baseline while the process lives on',
    });
    expect(check(recorded('static'), 'back-to-baseline', 'process.exit(3)')?.message).toMatch(
      /^\d+ object\(s\) not in the baseline remain: /,
    );
    expect(check(ok, 'victim-resumed', 'uncaught exception')?.verdict).toBe('pass');
    expect(check(recorded('nohook'), 'victim-resumed', 'normal exit')?.message).toBe(
      'the victim is silent: its stream is still held by a tap left on the server',
    );
  });
});

describe('the diagnosis names the bug switch', () => {
  it('no-cleanup-hook: a finalizer at teardown, in the main thread and in each worker end', () => {
    expect(judgeLiveEngines(recorded('nohook')).diagnosis).toMatch(
      new RegExp(
        '^normal exit: the runtime finalized engine#\\d+ at teardown without a cleanup hook having stopped it first; ' +
          'it died of SIGABRT after its threads were joined, .*\\(crashing thread: .*napi_release_threadsafe_function.*\\), ' +
          'and \\d+ server object\\(s\\) were left behind: the addon registers no environment cleanup hook \\(no-cleanup-hook\\)$',
      ),
    );
    expect(judgeLiveEngines(recorded('worker-nohook')).diagnosis).toMatch(
      new RegExp(
        '^worker\\.terminate\\(\\): the runtime finalized engine#\\d+ at teardown .*\\(no-cleanup-hook\\)\\. ' +
          'The same in: worker returns, process\\.exit\\(\\) in the worker, uncaught exception in the worker$',
      ),
    );
  });

  it('static-registry-after-exit: exit 139 after the program finished, one end told, the other listed', () => {
    expect(judgeLiveEngines(recorded('static')).diagnosis).toMatch(
      new RegExp(
        '^process\\.exit\\(3\\): died of SIGSEGV \\(exit 139 in a shell\\) after the program had finished, before any engine was ' +
          'stopped \\(crashing thread: .*stopLiveEnginesAtExit.*\\); \\d+ server object\\(s\\) were left behind: .*' +
          'destroyed by exit\\(\\) before the exit handler that stops them ran \\(static-registry-after-exit\\)\\. ' +
          'The same in: uncaught exception$',
      ),
    );
  });

  it('nothing failed, nothing said; a failure no bug explains is said as its failed checks', () => {
    expect(judgeLiveEngines(recorded('pass')).diagnosis).toBeUndefined();
    expect(judgeLiveEngines(recorded('worker-pass')).diagnosis).toBeUndefined();
    expect(judgeLiveEngines(recorded('worker-deadline')).diagnosis).toMatch(
      /^worker\.terminate\(\): ended within its deadline: "ending" to worker gone: \d+ ms \(limit 1 ms\)$/,
    );
  });

  it('a hang is said as one (changed: the end marked hung)', () => {
    const hung = { ...ok, ends: [{ ...ok.ends[1]!, hung: true }] };
    expect(judgeLiveEngines(hung).diagnosis).toBe(
      'process.exit(3): hung; the program did not end and was stopped (see its log for the last engine step)',
    );
    expect(check(hung, 'exit-code', 'process.exit(3)')?.message).toBe(
      'the program did not end within 5000 ms after "exit" and was stopped',
    );
  });
});
