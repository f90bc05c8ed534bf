// The kernel-cycles judge on observations recorded from real runs of hilt's kernel app
// (fixtures/recorded/observations/kernel-cycles-*.json): 10 cycles as it is, 3 under blocking-poll
// (the first stop hangs) and 3 under leak-on-stop (the first stop leaves its threads, the process
// dies before the second start). Every check passes on one and fails on another; each bug switch's
// diagnosis names it. Where no real run failed a check, the test changes the one field that check
// reads, and says so.
import { describe, expect, it } from 'vitest';
import { judgeKernelCycles, type KernelCyclesObservation } from './kernel-cycles.ts';
import { recordings } from './recorded.ts';

const { recorded, failedIds, check } = recordings<KernelCyclesObservation>('kernel-cycles', judgeKernelCycles);

describe('judgeKernelCycles on real runs: the verdicts those runs had', () => {
  it.each([
    ['pass', []],
    // The hang itself is the watchdog's no-hang check, made by the run, not by this judge.
    ['blocking', ['stop-deadline', 'no-threads', 'descriptors-at-baseline', 'connection-file-removed', 'exit-deadline', 'clean-exit']],
    ['leak', ['stop-deadline', 'no-threads', 'exit-deadline', 'clean-exit']],
  ])('%s fails %j', (name, ids) => {
    expect(failedIds(recorded(name))).toEqual(ids);
  });
});

describe('each check, pass and fail', () => {
  const ok = recorded('pass');

  it('stop-deadline: every stop of the series answered; a missing one counts as late', () => {
    expect(check(ok, 'stop-deadline').message).toMatch(/^10 stops: p50 [\d.]+ ms, max [\d.]+ ms$/);
    expect(check(recorded('blocking'), 'stop-deadline')).toMatchObject({ measured: 'none' });
    expect(check(recorded('blocking'), 'stop-deadline').message).toBe('0 of 3 stops on time; the first late one: cycle 1');
    expect(check(recorded('leak'), 'stop-deadline').message).toBe('1 of 3 stops on time; the first late one: cycle 2');
  });

  it('no-threads: the threads left after each stop; a process gone before the count proves nothing', () => {
    expect(check(ok, 'no-threads').message).toBe('only the main thread after each of 10 stops');
    expect(check(recorded('leak'), 'no-threads')).toMatchObject({ measured: 4, message: 'threads left after the stops: 4 (cycle 1 to 1)' });
    expect(check(recorded('blocking'), 'no-threads').message).toMatch(/^hilt could not look: the process died after the stop of cycle 1/);
  });

  it('descriptors-at-baseline: not counted is a fail (blocking); growth is a trend (changed: one more per cycle)', () => {
    expect(check(ok, 'descriptors-at-baseline').verdict).toBe('pass');
    expect(check(recorded('blocking'), 'descriptors-at-baseline').message).toMatch(/^hilt could not look/);
    const growing = { ...ok, cycles: ok.cycles.map((c, i) => ({ ...c, fds: 5 + i })) };
    expect(check(growing, 'descriptors-at-baseline')).toMatchObject({ verdict: 'fail', measured: 9 });
    expect(check(growing, 'descriptors-at-baseline').message).toMatch(/\(\+1\.0 per cycle\)$/);
  });

  it('connection-file-removed, exit-deadline, clean-exit', () => {
    for (const id of ['connection-file-removed', 'exit-deadline', 'clean-exit']) expect(check(ok, id).verdict).toBe('pass');
    expect(check(recorded('blocking'), 'connection-file-removed').message).toBe('still there after cycle(s) 1');
    expect(check(recorded('leak'), 'exit-deadline').message).toMatch(/^the process died before it was asked to quit: did not happen/);
    expect(check(recorded('blocking'), 'clean-exit').measured).toBe('SIGKILL');
    expect(check(recorded('leak'), 'clean-exit').measured).toBe('SIGABRT');
  });

  it('back-to-baseline (changed: an object left on the server)', () => {
    expect(check(ok, 'back-to-baseline').verdict).toBe('pass');
    const node = { kind: 'pw-node' as const, id: '50', name: 'kernel-node', ownerPid: ok.target.pid, ownerAlive: false };
    expect(check({ ...ok, notBaseline: [node] }, 'back-to-baseline').message).toMatch(
      /^1 object\(s\) not in the baseline remain: pw-node kernel-node/,
    );
  });
});

describe('the diagnosis names the bug switch', () => {
  it('blocking-poll: the hang of the first stop, its stacks, and the cycle', () => {
    expect(judgeKernelCycles(recorded('blocking')).diagnosis).toMatch(
      new RegExp(
        '^hang: the kernel stop call did not return within 3000 ms\\. Stacks at the soft deadline: main thread in join .*' +
          '\\(blocking-poll; the Max kernel, seed 001\\)\\. \\(cycle 1 of 3\\)$',
      ),
    );
  });

  it('leak-on-stop: the threads each stop left, and the death they caused; or the late write alone', () => {
    expect(judgeKernelCycles(recorded('leak')).diagnosis).toMatch(
      new RegExp(
        '^leak: each stop returned \\(p50 [\\d.]+ ms\\) but left its channel threads running: 4 threads after cycle 1; ' +
          "the process then died \\(SIGABRT\\).*\\(leak-on-stop; seed 001's leak-instead-of-join workaround\\)\\.$",
      ),
    );
    // Changed: dead before hilt could count the threads of the stop that had just returned.
    const leak = recorded('leak');
    const { threads: _, ...uncounted } = leak.cycles[0]!;
    expect(judgeKernelCycles({ ...leak, cycles: [uncounted] }).diagnosis).toMatch(
      /^late write: the stop call returned in [\d.]+ ms, then the process died \(SIGABRT, aborted .*\(leak-on-stop;/,
    );
    expect(judgeKernelCycles(recorded('pass')).diagnosis).toBeUndefined();
  });
});
