// The kernel-stop judge on observations recorded from real runs of hilt's kernel app
// (fixtures/recorded/observations/kernel-stop-*.json): as it is, under blocking-poll (the stop hangs)
// and under leak-on-stop (the stop returns, its threads run on). Every check passes on one and
// fails on another; each bug switch's diagnosis names it. Where no real run failed a check, the
// test changes the one field that check reads, and says so.
import { describe, expect, it } from 'vitest';
import { judgeKernelStop, leakDiagnosis, type KernelStopObservation } from './kernel-stop.ts';
import { recordings } from './recorded.ts';

const { recorded, failedIds, check, find } = recordings<KernelStopObservation>('kernel-stop', judgeKernelStop);

describe('judgeKernelStop on real runs: the verdicts those runs had', () => {
  it.each([
    ['pass', []],
    // The hang itself is the watchdog's no-hang check, made by the run, not by this judge.
    ['blocking', ['stop-deadline', 'connection-file-removed', 'exit-deadline', 'clean-exit']],
    ['leak', ['no-threads', 'clients-disconnected', 'ports-released', 'clean-exit']],
  ])('%s fails %j', (name, ids) => {
    expect(failedIds(recorded(name))).toEqual(ids);
  });
});

describe('each check, pass and fail', () => {
  const ok = recorded('pass');

  it('connection-file-written and heartbeat-answered: the kernel was up and listening (changed: no ports, no echo)', () => {
    expect(check(ok, 'connection-file-written')?.verdict).toBe('pass');
    expect(check({ ...ok, ports: {} }, 'connection-file-written')?.verdict).toBe('fail');
    expect(check(ok, 'heartbeat-answered')?.verdict).toBe('pass');
    const { heartbeatMs: _, ...silent } = ok;
    expect(check(silent, 'heartbeat-answered')?.message).toMatch(/did not happen within the 1000 ms deadline/);
  });

  it('stop-deadline: the stop call answered; a hang says where the threads wait', () => {
    expect(check(ok, 'stop-deadline')?.verdict).toBe('pass');
    expect(check(recorded('blocking'), 'stop-deadline')?.message).toMatch(/^no answer: main thread in join .*4 threads in poll/);
  });

  it('no-threads, clients-disconnected, ports-released: asked only when the stop returned', () => {
    for (const id of ['no-threads', 'clients-disconnected', 'ports-released']) {
      expect(check(ok, id)?.verdict).toBe('pass');
      expect(check(recorded('leak'), id)?.verdict).toBe('fail');
      expect(find(recorded('blocking'), id)).toBeUndefined();
    }
    expect(check(recorded('leak'), 'no-threads')?.message).toBe('still running: kernel-shell, kernel-control, kernel-hb, kernel-iopub');
  });

  it('connection-file-removed, exit-deadline, clean-exit', () => {
    for (const id of ['connection-file-removed', 'exit-deadline', 'clean-exit']) expect(check(ok, id)?.verdict).toBe('pass');
    expect(check(recorded('blocking'), 'connection-file-removed')?.message).toMatch(/is still there$/);
    expect(check(recorded('blocking'), 'exit-deadline')?.message).toMatch(/did not happen within the 5000 ms deadline/);
    expect(check(recorded('leak'), 'clean-exit')?.measured).not.toBe('exit 0');
  });

  it('back-to-baseline and no-process-left (changed: an object and the process left)', () => {
    expect(check(ok, 'back-to-baseline')?.verdict).toBe('pass');
    expect(check(ok, 'no-process-left')?.verdict).toBe('pass');
    const node = { kind: 'pw-node' as const, id: '50', name: 'kernel-node', ownerPid: ok.target.pid, ownerAlive: false };
    expect(check({ ...ok, notBaseline: [node] }, 'back-to-baseline')?.message).toMatch(
      /^1 object\(s\) not in the baseline remain: pw-node kernel-node/,
    );
    expect(check({ ...ok, processLeft: true }, 'no-process-left')?.verdict).toBe('fail');
  });
});

describe('the diagnosis names the bug switch', () => {
  it('blocking-poll: the hang, the stacks, and why', () => {
    expect(judgeKernelStop(recorded('blocking')).diagnosis).toMatch(
      new RegExp(
        '^hang: the kernel stop call did not return within 3000 ms\\. Stacks at the soft deadline: main thread in join .*' +
          '\\(blocking-poll; the Max kernel, seed 001\\)\\.$',
      ),
    );
  });

  it('leak-on-stop: the threads left running, or their late write when the process died first', () => {
    expect(judgeKernelStop(recorded('leak')).diagnosis).toMatch(
      /^leak: the stop call returned in [\d.]+ ms but left 4 thread\(s\) running .*\(leak-on-stop;/,
    );
    expect(leakDiagnosis(0.2, { openClients: 0, listening: [], fileLeft: false }, 'SIGSEGV, segmentation fault')).toMatch(
      /^late write: the stop call returned in 0\.2 ms, then the process died \(SIGSEGV, segmentation fault\)/,
    );
    expect(judgeKernelStop(recorded('pass')).diagnosis).toBeUndefined();
  });
});
