// The server-restart judge on observations recorded from real runs (fixtures/recorded/observations/
// server-restart-*.json): real programs from Debian's packages under a restart of pipewire-pulse,
// then of the whole stack. Every check passes on one and fails on another; where no real run
// showed a case (a crash when the server went), the test changes the one field the check reads.
import { describe, expect, it } from 'vitest';
import { judgeServerRestart, type ServerRestartObservation } from './server-restart.ts';
import { recordings } from './recorded.ts';

const { recorded, failed, check } = recordings<ServerRestartObservation>('server-restart', judgeServerRestart);
const pwPlay = recorded('pw-play');
const fluidsynth = recorded('fluidsynth');
const nullSink = recorded('pactl-null-sink');
const engine = recorded('engine');
const noReconnect = recorded('engine-no-reconnect');

describe('judgeServerRestart on real runs', () => {
  it.each([
    ['engine', []], // reconnected twice, its taps made again once each time
    ['engine-no-reconnect', ['outcome:pulse', 'server-back:pulse', 'outcome:stack']], // alive, no taps; the victim plays untapped
    ['pw-play', []], // resumed after pipewire-pulse, exited 1 with the stack: its config allows that
    ['sox-play', []], // exited 0 with pipewire-pulse: allowed
    ['fluidsynth', ['outcome:pulse', 'outcome:stack']], // alive, its stream never back
    ['pactl-null-sink', ['outcome:pulse', 'server-back:pulse']], // its module went with pipewire-pulse
    ['dbus-daemon-fork', ['outcome:pulse']], // it had exited 0 before any restart (its daemon runs on)
  ])('%s fails %j', (name, ids) => {
    expect(failed(recorded(name))).toEqual(ids);
    expect(judgeServerRestart(recorded(name)).diagnosis === undefined).toBe(ids.length === 0);
  });
});

describe('the reference engine', () => {
  it('resumed: the victim heard through its new taps, each tap once', () => {
    for (const part of ['pulse', 'stack']) {
      expect(check(engine, 'outcome', part).message).toMatch(/^resumed by itself: the victim heard through its taps again \d+ ms/);
      expect(check(engine, 'no-duplicates', part).verdict).toBe('pass');
    }
  });
  it('no-reconnect: the diagnosis names the bug and quotes the engine', () => {
    expect(judgeServerRestart(noReconnect).diagnosis).toMatch(
      new RegExp(
        '^after the pipewire-pulse restart hilt-engine stayed alive but silent: its taps never came back and the victim was not ' +
          'heard through it within 3000 ms \\(no-reconnect\\)\\. ' +
          'It said: server: connection lost \\(Connection terminated\\); not reconnecting',
      ),
    );
  });
});

describe('each check, pass and fail', () => {
  it('outcome: resumed by itself, with the time to its sound', () => {
    expect(check(pwPlay, 'outcome', 'pulse').message).toMatch(/^resumed by itself: its sound back \d+ ms after the restart began$/);
  });
  it('outcome: exited, passing only where the config allows it (changed: expects resumes; a crash)', () => {
    expect(check(pwPlay, 'outcome', 'stack').message).toBe('exited (exit 1) when the server went, as its config allows');
    const strict = { ...pwPlay, expects: 'resumes' as const };
    expect(check(strict, 'outcome', 'stack')).toMatchObject({ verdict: 'fail', measured: 'exited' });
    expect(check(strict, 'outcome', 'stack').message).toMatch(/its config expects it to resume$/);
    const crashed = { ...pwPlay, rounds: pwPlay.rounds.map((r) => ({ ...r, ...(r.exit && { exit: { name: 'SIGSEGV', crash: true } }) })) };
    expect(check(crashed, 'outcome', 'stack')).toMatchObject({
      verdict: 'fail',
      message: 'exited (SIGSEGV) when the server went: a crash',
    });
  });
  it('outcome: alive but silent, naming what did not come back', () => {
    expect(check(fluidsynth, 'outcome', 'pulse').message).toMatch(
      /^alive but silent: still running 3000 ms after the restart began, without its \d+ objects back \(not back: .*FluidSynth/,
    );
    expect(check(nullSink, 'outcome', 'pulse').message).toMatch(/not back: pulse-module:module-null-sink, pulse-sink:app-nullsink-\d+/);
  });
  it('outcome: a program that ended before the restart is not judged as exiting on it', () => {
    const early = recorded('dbus-daemon-fork');
    expect(check(early, 'outcome', 'pulse').message).toMatch(/^had ended \(exit 0\) before the server restarted: nothing of it ran/);
    expect(check({ ...early, expects: 'exits' }, 'outcome', 'pulse').verdict).toBe('fail');
    expect(judgeServerRestart(early).checks.map((c) => c.id)).toEqual(['outcome', 'back-to-baseline']);
  });
  it('no-duplicates: each of its objects once after the restart (changed: one twice)', () => {
    expect(check(pwPlay, 'no-duplicates', 'pulse').verdict).toBe('pass');
    const r = pwPlay.rounds[0]!;
    const twice = { ...pwPlay, rounds: [{ ...r, objectsAfter: [...r.objectsAfter, r.objectsAfter[0]!] }] };
    expect(check(twice, 'no-duplicates', 'pulse').message).toBe(`more than before: ${r.objectsAfter[0]}`);
  });
  it('server-back: the rest of the server as it was, or what is missing and what is new', () => {
    expect(check(pwPlay, 'server-back', 'stack').message).toMatch(
      /^\d+ objects \(besides the target's\) before and after, back in \d+ ms$/,
    );
    expect(check(nullSink, 'server-back', 'pulse').message).toBe('not back: pw-client:pipewire');
  });
  it('the diagnosis of a black box lists the failed checks with their restart', () => {
    expect(judgeServerRestart(fluidsynth).diagnosis).toMatch(/^fluidsynth after the pipewire-pulse restart \[pulse\]: alive but silent/);
  });
});
