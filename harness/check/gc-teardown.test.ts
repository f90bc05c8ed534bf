// The gc-teardown judge on observations recorded from real runs (fixtures/recorded/observations/
// gc-teardown-*.json): the addon program as it is, under gc-free-while-running (a release build,
// and under ASan), and the Windows engine under Wine as it is and under free-while-running and
// no-shutdown. Every check passes on one and fails on another; each diagnosis names the seed's bug.
import { describe, expect, it } from 'vitest';
import { gcCrashed, judgeGcTeardown, type GcObservation } from './gc-teardown.ts';
import { recordings } from './recorded.ts';

const { recorded, failedIds, check } = recordings<GcObservation>('gc-teardown', judgeGcTeardown);
const ALL = ['clean-exit', 'no-crash-signature', 'stopped-before-freed', 'teardown-deadline', 'threads-at-baseline'];

describe('judgeGcTeardown on real runs: the verdicts those runs had', () => {
  it.each([
    ['pass', []],
    ['win-pass', []],
    ['free', [...ALL, 'victim-resumed', 'back-to-baseline']], // SIGSEGV: its taps stay, the victim stays muted
    ['asan-free', [...ALL, 'victim-resumed', 'back-to-baseline']],
    ['win-free', ALL], // the Windows engine's streams go with its process
    ['win-noshut', ALL],
    // hilt under Windows's Node on the WASAPI rig (sessions E_NOTIMPL under Wine): objects judged by process
    ['win-pass-wasapi', []],
    ['win-free-wasapi', ALL],
  ])('%s fails %j', (name, ids) => {
    expect(failedIds(recorded(name))).toEqual(ids);
    expect(gcCrashed(recorded(name))).toBe(ids.length > 0);
  });
});

describe('each check, pass and fail', () => {
  const ok = recorded('pass');
  const bad = recorded('free');

  it('clean-exit and no-crash-signature: how the program ended, and what its output says', () => {
    expect(check(ok, 'clean-exit')).toMatchObject({ verdict: 'pass', measured: 'exit 0' });
    expect(check(bad, 'clean-exit')).toMatchObject({ verdict: 'fail', measured: 'SIGSEGV' });
    expect(check(ok, 'no-crash-signature').message).toBe('no signal, sanitizer report or fatal runtime error');
    expect(check(recorded('asan-free'), 'no-crash-signature').message).toMatch(/AddressSanitizer: heap-use-after-free/);
  });

  it('stopped-before-freed: every engine in the safe order; the first violations named', () => {
    expect(check(ok, 'stopped-before-freed').message).toMatch(/^\d+ engines: stop requested, threads joined, tap destroyed, then freed$/);
    expect(check(bad, 'stopped-before-freed').message).toMatch(/engine#\d+/);
  });

  it('teardown-deadline: stop requested to freed, p99 (changed: a limit below what was measured)', () => {
    const c = check(ok, 'teardown-deadline');
    expect(c.verdict).toBe('pass');
    expect(check({ ...ok, teardownLimitMs: 0 }, 'teardown-deadline')).toMatchObject({ verdict: 'fail', measured: c.measured });
  });

  it('threads-at-baseline: the program reports its threads before and after; not reporting is a fail', () => {
    expect(check(ok, 'threads-at-baseline').verdict).toBe('pass');
    expect(check(bad, 'threads-at-baseline').message).toBe('the program never reported its final thread count (it did not get that far)');
    const leaked = { ...ok, threads: { baseline: 3, end: 4 } };
    expect(check(leaked, 'threads-at-baseline')).toMatchObject({ verdict: 'fail', measured: 4, limit: 3 });
  });

  it('victim-resumed and back-to-baseline: what a crash left on the server', () => {
    expect(check(ok, 'victim-resumed').verdict).toBe('pass');
    expect(check(bad, 'victim-resumed').message).toBe('the victim is still silent: a tap is left');
    expect(check(ok, 'back-to-baseline').verdict).toBe('pass');
    expect(check(bad, 'back-to-baseline').message).toMatch(/^\d+ object\(s\) not in the baseline remain: /);
  });
});

describe('the diagnosis names the seed bug', () => {
  it.each([
    [
      'free',
      /^engine#\d+ freed while its VM thread was still running, then the process crashed \(SIGSEGV; .*exit 139.*\(gc-free-while-running\)$/,
    ],
    ['asan-free', /freed while its VM thread was still running, .*AddressSanitizer: heap-use-after-free; in vmLoop at addon\.cpp/],
    ['win-free', /freed while their render threads were still running, then the process crashed \(access violation \(0xC0000005/],
    ['win-noshut', /released its audio client while its render thread was still running, .*without stopping it first \(no-shutdown\)$/],
  ])('%s', (name, said) => {
    expect(judgeGcTeardown(recorded(name)).diagnosis).toMatch(said);
  });
});

describe('on a rig that cannot list its objects (WASAPI under Wine, recorded)', () => {
  it('back-to-baseline is judged by process: none left passes, one left fails naming it, both say why', () => {
    const o = recorded('win-pass-wasapi');
    expect(check(o, 'back-to-baseline').message).toMatch(
      /^no process of it runs after its end, and an audio session ends with its process \(the sessions .*E_NOTIMPL\)$/,
    );
    const stayed = { ...o, unlisted: { ...o.unlisted!, processesLeft: ['hilt-engine-win.exe[372]'] } };
    expect(check(stayed, 'back-to-baseline')).toMatchObject({ verdict: 'fail', measured: '1 process(es) left' });
    expect(check(stayed, 'back-to-baseline').message).toMatch(/^still running after its end: hilt-engine-win\.exe\[372\], /);
  });
});
