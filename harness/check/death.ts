// How a program died of a crash signal sent from outside (issue 24): four stable words, judged from
// what was observed only (its exit, the output that arrived after the signal, whether the watchdog
// had to act). Pure: the black box's steps record a DeathObserved, this names it, and the checks,
// the diagnosis, the summary's facts, summary.md and the gate all say it in these words.
import type { ExitClass } from '../proc/exit.ts';

export type Died = 'own-handler-reraised' | 'silent' | 'handler-did-not-end' | 'exited-with-code';
export const DIED_WORDS: readonly Died[] = ['own-handler-reraised', 'silent', 'handler-did-not-end', 'exited-with-code'];

export interface DeathObserved {
  signal: string; // the crash signal sent: "SIGSEGV"
  outputAfter: string[]; // its output lines that arrived after the signal was sent (at most the first 20)
  watchdog: boolean; // it was not gone by its deadline: stacks taken, then SIGTERM, then SIGKILL
  stacks?: string; // where its threads waited then, in words (the watchdog's summary)
}

export interface DeathVerdict {
  died: Died;
  sentence: string;
}

const quote = (lines: string[]): string => {
  const first = lines.find((l) => l.trim()) ?? lines[0] ?? '';
  const shown = first.length > 100 ? `${first.slice(0, 97)}...` : first;
  return lines.length === 1
    ? `1 line after the signal: '${shown.trim()}'`
    : `${lines.length} lines after the signal, the first '${shown.trim()}'`;
};

// The order matters: a handler that never ended is said even though the watchdog's kill ended it.
export function howItDied(d: DeathObserved, exit: ExitClass): DeathVerdict {
  const printed = d.outputAfter.length ? `; it printed ${quote(d.outputAfter)}` : '';
  if (d.watchdog || (exit.signal === null && exit.code === null)) {
    const end = exit.signal || exit.code !== null ? `ended by the watchdog: ${exit.name}` : 'still there after SIGKILL';
    return {
      died: 'handler-did-not-end',
      sentence:
        `a crash handler that did not end: ${d.signal} did not end it by its deadline (${end})${printed}` +
        (d.stacks ? `; stacks: ${d.stacks}` : ''),
    };
  }
  if (exit.signal === null) {
    return { died: 'exited-with-code', sentence: `its handler caught ${d.signal} and exited with code ${exit.code}${printed}` };
  }
  if (exit.signal !== d.signal) {
    return {
      died: 'own-handler-reraised',
      sentence: `its own handler ran and it died of ${exit.signal}, not the ${d.signal} sent${printed}`,
    };
  }
  if (d.outputAfter.length) {
    return { died: 'own-handler-reraised', sentence: `its own handler ran and re-raised: it died of ${d.signal}${printed}` };
  }
  return {
    died: 'silent',
    sentence: `died silently of ${d.signal} (its default action, or a handler that printed nothing): no output after the signal`,
  };
}
