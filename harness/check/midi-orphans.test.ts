// The midi-orphans judge on observations recorded from real runs (fixtures/recorded/observations/
// midi-orphans-*.json): the reference engine as it is and under fork-keeps-midi, and the Tk app as
// it is. Every check passes on one and fails on another; the bug switch's diagnosis names it. Where
// no real run failed a check, the test changes the one field that check reads, and says so.
import { describe, expect, it } from 'vitest';
import { judgeMidiOrphans, midiHolders, type MidiOrphansObservation } from './midi-orphans.ts';
import { recordings } from './recorded.ts';

const { recorded, failedIds, check } = recordings<MidiOrphansObservation>('midi-orphans', judgeMidiOrphans);

describe('judgeMidiOrphans on real runs: the verdicts those runs had', () => {
  it.each([
    ['pass', []],
    ['tk', []],
    // The forked child holds the dead engine's connection: its ports, its sink and itself stay.
    ['fork', ['midi-ports-gone', 'back-to-baseline']],
  ])('%s fails %j', (name, ids) => {
    expect(failedIds(recorded(name))).toEqual(ids);
  });
});

describe('each check, pass and fail', () => {
  const ok = recorded('pass');
  const bad = recorded('fork');

  it('echo-before-kill: a note on through the app and back (changed: no echo)', () => {
    expect(check(ok, 'echo-before-kill')).toMatchObject({ verdict: 'pass', measured: expect.stringMatching(/^\d+\.\d\d ms$/) });
    expect(check({ ...ok, echo: { ok: false } }, 'echo-before-kill')).toMatchObject({ verdict: 'fail', measured: 'no echo' });
  });

  it('exit: the kill landed (changed: the app exited on its own first)', () => {
    expect(check(ok, 'exit')).toMatchObject({ verdict: 'pass', measured: 'SIGKILL' });
    const exited = { ...ok, exit: { ...ok.exit, kind: 'clean' as const, code: 0, signal: null, name: 'exit 0' } };
    expect(check(exited, 'exit')).toMatchObject({ verdict: 'fail', measured: 'exit 0' });
  });

  it("midi-ports-gone: the server listed none of the app's ports within the deadline", () => {
    expect(check(ok, 'midi-ports-gone').message).toMatch(/^2 port\(s\) gone \d+ ms after the kill$/);
    expect(check(recorded('tk'), 'midi-ports-gone').verdict).toBe('pass');
    expect(check(bad, 'midi-ports-gone')).toMatchObject({ verdict: 'fail', measured: 2 });
    expect(check(bad, 'midi-ports-gone').message).toMatch(/^still on the server 2000 ms after the kill: hilt-engine-\d+-out:out, /);
  });

  it('back-to-baseline: everything new since the baseline gone, the forked child too', () => {
    expect(check(ok, 'back-to-baseline').verdict).toBe('pass');
    expect(check(bad, 'back-to-baseline').message).toMatch(/^\d+ object\(s\) not in the baseline remain: .*process hilt-engine-for\[\d+\]/);
    expect(midiHolders(bad.notBaseline).map((o) => o.name)).toEqual([expect.stringMatching(/^hilt-engine-for\[\d+\]$/)]);
  });
});

describe('the diagnosis', () => {
  it('fork-keeps-midi: orphan ports, the child still holding them, and the bug switch', () => {
    const said = judgeMidiOrphans(recorded('fork')).diagnosis;
    expect(said).toMatch(
      /^orphan MIDI ports: 2 port\(s\) of the SIGKILLed hilt-engine \(pid \d+, dead\) are still on the MIDI server 2000 ms later/,
    );
    expect(said).toMatch(
      /still running with the app's name: hilt-engine-for\[\d+\].*a forked child that inherited it \(fork-keeps-midi\)\.$/,
    );
  });

  it('none when the ports went, on either app', () => {
    expect(judgeMidiOrphans(recorded('pass')).diagnosis).toBeUndefined();
    expect(judgeMidiOrphans(recorded('tk')).diagnosis).toBeUndefined();
  });
});
