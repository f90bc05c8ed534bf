// How a program died of a crash signal sent from outside, on observations recorded from real runs of
// Debian programs (`pnpm scenario crash --target fixtures/targets/examples/<name>.json`): each of the
// four words from one recording, and the exit check and the diagnosis saying it in those words.
import { describe, expect, it } from 'vitest';
import { judgeBlackBox, type BlackBoxObservation } from './blackbox.ts';
import { howItDied } from './death.ts';
import { recordings } from './recorded.ts';

const { recorded, failedIds, check } = recordings<BlackBoxObservation>('blackbox', judgeBlackBox);
const died = (name: string) => {
  const o = recorded(name);
  return howItDied(o.death!, o.exit);
};

describe('howItDied on real runs', () => {
  it.each([
    ['python-faulthandler-crash', 'own-handler-reraised', []], // python3 -X faulthandler prints its fatal error, re-raises SIGSEGV
    ['sox-play-crash', 'silent', []], // play has no SIGSEGV handler: default action, nothing printed
    ['python-segv-wait-crash', 'handler-did-not-end', ['exit', 'exit-deadline']], // its handler waits forever; the watchdog ends it
    ['bash-trap-exit-crash', 'exited-with-code', []], // bash's trap 'exit 3' SEGV; 3 is listed in expect.exitCodes
  ])('%s: %s, failing %j as before', (name, word, ids) => {
    expect(died(name).died).toBe(word);
    expect(judgeBlackBox(recorded(name)).facts).toEqual({ died: word, 'how it died': died(name).sentence });
    expect(failedIds(recorded(name))).toEqual(ids);
  });

  it('the sentence names what it saw: the first line after the signal, the code, the stacks', () => {
    expect(died('python-faulthandler-crash').sentence).toBe(
      'its own handler ran and re-raised: it died of SIGSEGV; ' +
        "it printed 4 lines after the signal, the first 'Fatal Python error: Segmentation fault'",
    );
    expect(died('sox-play-crash').sentence).toMatch(/^died silently of SIGSEGV .*: no output after the signal$/);
    expect(died('bash-trap-exit-crash').sentence).toBe('its handler caught SIGSEGV and exited with code 3');
    expect(died('python-segv-wait-crash').sentence).toMatch(
      new RegExp(
        '^a crash handler that did not end: SIGSEGV did not end it by its deadline \\(ended by the watchdog: SIGTERM\\); ' +
          'stacks: .*<string>:4 in wait_for_debugger',
      ),
    );
  });

  it('a handler that dies of another signal (changed: SIGABRT after output) ran; silent needs the signal sent itself', () => {
    const o = recorded('python-faulthandler-crash');
    const abrt = { ...o.exit, signal: 'SIGABRT', name: 'SIGABRT' };
    expect(howItDied(o.death!, abrt)).toMatchObject({
      died: 'own-handler-reraised',
      sentence: expect.stringMatching(/died of SIGABRT, not the SIGSEGV sent/),
    });
  });

  it('the exit check and the diagnosis say it in the same words; runs of other faults have no death', () => {
    expect(check(recorded('sox-play-crash'), 'exit').message).toMatch(
      /^SIGSEGV \(.*\); died: silent \(died silently of SIGSEGV .*\); a clean end is SIGSEGV or 0$/,
    );
    expect(check(recorded('bash-trap-exit-crash'), 'exit').message).toMatch(/^exit 3 \(exited with code 3\); died: exited-with-code \(/);
    const hung = judgeBlackBox(recorded('python-segv-wait-crash')).diagnosis!;
    expect(hung).toMatch(
      /^python-segv-wait \(pid \d+\) after SIGSEGV: SIGTERM .*; died: handler-did-not-end \(a crash handler that did not end: /,
    );
    expect(hung).not.toMatch(/ Hang: /); // said once, as how it died
    expect(judgeBlackBox(recorded('sox-play-kill9')).facts).toBeUndefined();
    expect(judgeBlackBox(recorded('pw-loopback-crash')).facts).toBeUndefined(); // recorded before deaths were observed
  });
});
