// The black-box judge: what any program's run is held to, from an observation of it alone (the
// exit, the server's objects, the OS's processes and files, the victim's tone, its output). Pure:
// the black box's steps record the observation (scenarios/lib/targets/black-box.ts), this turns it into checks and
// a diagnosis, and recorded observations (fixtures/observations/) test both without a rig.
import { describeLeftover } from '../inventory/leftovers.ts';
import type { InventoryObject } from '../inventory/objects.ts';
import type { Straggler } from '../target/contain.ts';
import type { ExitClass } from '../proc/exit.ts';
import { howItDied, type DeathObserved, type DeathVerdict } from './death.ts';
import { exitCheck, expectation, withinLimit, type CheckResult, type Judgement } from './check.ts';

export interface BlackBoxObservation {
  kind: 'black-box';
  target: { name: string; pid: number; plays: boolean }; // plays: its config says it plays audio
  fault: { label: string; deadlineMs: number; crashExpected: boolean };
  bugs: string[];
  playing: string[]; // its playback streams on the server while it ran
  objectsWhileRunning: number;
  exit: ExitClass;
  expectedExit: { ok: boolean; expected: string };
  exitMs: number; // the fault to the process gone
  hang?: string; // where its threads waited, when the watchdog caught it hung
  escaped: Straggler[]; // still running escapedAfterMs after it ended, by its group, marker or tree
  escapedAfterMs: number;
  left: InventoryObject[]; // its objects still on the server goneMs after it ended
  goneMs: number;
  files: string[]; // its files left (owns.files, /dev/shm entries named like it)
  victim: { hz: number; heardMs?: number; deadlineMs: number };
  signatures: string[]; // crash signatures in its output
  midi?: MidiPortsObserved; // midi-orphans: its MIDI ports before the kill and after it
  death?: DeathObserved; // crash: what tells how it died of the signal sent (harness/check/death.ts)
  // Where the rig cannot list the server's objects (WASAPI's sessions under Wine): why not, and
  // whether its own sound was heard on the observed output while it ran (for a program that plays).
  unlisted?: { why: string; heardPlaying?: boolean };
}

// A program's MIDI ports (its process tree's, or named like it) around a SIGKILL, as the MIDI server listed them.
export interface MidiPortsObserved {
  before: string[]; // its ports before the kill
  listed: string[]; // every port the server listed then (said when none was its)
  left: string[]; // its ports still listed at the deadline
  goneMs?: number; // the kill to its ports gone
  limitMs: number;
}

// Its MIDI ports, when the scenario asked (midi-orphans): open before the kill, gone after it.
function midiChecks(m: MidiPortsObserved): CheckResult[] {
  return [
    expectation(
      'has-midi-ports',
      'it has MIDI ports open before the kill',
      m.before.length > 0,
      m.before.length,
      '>= 1',
      'ports',
      m.before.length ? m.before.join(', ') : `no MIDI port of its process tree or named like it among: ${m.listed.join(', ') || 'none'}`,
    ),
    expectation(
      'midi-ports-gone',
      'its MIDI ports are gone after the kill',
      m.left.length === 0,
      m.left.length,
      0,
      'ports',
      m.left.length
        ? `MIDI port(s) still on the server ${m.limitMs} ms after SIGKILL: ${m.left.join(', ')}`
        : `${m.before.length} port(s) gone ${Math.round(m.goneMs ?? 0)} ms after SIGKILL`,
    ),
  ];
}

// "play[812] `play -n synth 60 sine 300` (found by its group; environment cleared, a session of its own, reparented to init)"
const describeProcess = (p: Straggler): string =>
  `${p.name}[${p.pid}]` +
  (p.cmdline ? ` \`${p.cmdline.length > 80 ? `${p.cmdline.slice(0, 77)}...` : p.cmdline}\`` : '') +
  (p.foundBy ? ` (found by its ${p.foundBy.join(', ')}${p.how?.length ? `; ${p.how.join(', ')}` : ''})` : ` (parent ${p.ppid})`);

export function judgeBlackBox(o: BlackBoxObservation): Judgement {
  const { target, fault, exit } = o;
  const death = o.death && howItDied(o.death, exit);
  const facts = death && { died: death.died, 'how it died': death.sentence };
  const checks: CheckResult[] = o.midi ? midiChecks(o.midi) : [];
  if (target.plays && o.unlisted) {
    const heard = o.unlisted.heardPlaying === true;
    checks.push(
      expectation(
        'plays-audio',
        'its sound on the observed output while it ran',
        heard,
        heard ? 'heard' : 'not heard',
        'heard',
        '',
        `${heard ? 'sound other than the victim heard' : 'no sound but the victim heard'} on the observed output while it ran ` +
          `(its streams cannot be listed here: ${o.unlisted.why})`,
      ),
    );
  } else if (target.plays) {
    checks.push(
      expectation(
        'plays-audio',
        'its playback stream on the server while it ran',
        o.playing.length > 0,
        o.playing.length,
        '>= 1',
        'streams',
        o.playing.length ? `playing: ${o.playing.join(', ')}` : 'no playback stream of its process tree (expect.audio is "plays")',
      ),
    );
  }
  checks.push(
    exitCheck(o.expectedExit, exit.name, `${exit.name} (${exit.description})${diedText(death)}; a clean end is ${o.expectedExit.expected}`),
    withinLimit('exit-deadline', 'process gone within its deadline', o.exitMs, fault.deadlineMs, 'ms', `${fault.label} to process gone`),
    expectation(
      'no-escaped-process',
      'no process of it still running',
      o.escaped.length === 0,
      o.escaped.length,
      0,
      'processes',
      o.escaped.length === 0
        ? `none of its processes (its group, marker or tree) runs ${o.escapedAfterMs} ms after it ended`
        : `still running after ${target.name} (pid ${target.pid}) ended: ${o.escaped.map(describeProcess).join(', ')}`,
    ),
    o.unlisted
      ? orphansByProcess(o, o.unlisted.why)
      : expectation(
          'no-orphans',
          'no object of it left on the server',
          o.left.length === 0,
          o.left.length,
          0,
          'objects',
          o.left.length === 0
            ? `nothing of ${target.name} on the server after ${fault.label}`
            : orphanSentences(o.left, target.pid, `${o.goneMs} ms after ${fault.label}`).join('; '),
        ),
    expectation(
      'no-files-left',
      'no file of it left',
      o.files.length === 0,
      o.files.length,
      0,
      'files',
      o.files.length === 0
        ? 'none of its files (owns.files, /dev/shm entries named like it) is left'
        : `files left after ${fault.label}: ${o.files.join(', ')}`,
    ),
    withinLimit(
      'victim-heard-after',
      'victim audible after it ended',
      o.victim.heardMs,
      o.victim.deadlineMs,
      'ms',
      `the victim's ${o.victim.hz} Hz tone on the observed output after ${fault.label}`,
    ),
  );
  if (!fault.crashExpected) {
    checks.push(
      expectation(
        'no-crash-signature',
        'no crash signature in its output',
        o.signatures.length === 0,
        o.signatures[0] ?? 'none',
        'none',
        '',
        o.signatures.length ? o.signatures.join('; ') : 'no sanitizer report, fatal error or "Segmentation fault" in its output',
      ),
    );
  }
  const failed = checks.filter((c) => c.verdict === 'fail');
  if (!failed.length) return { checks, ...(facts && { facts }) };
  const bugs = o.bugs.length ? ` (run with bug switch ${o.bugs.join(',')})` : '';
  // A crash handler that never ended is a hang too, said in the words of how it died (its stacks are in the exit check's message).
  const hung = o.hang && death?.died !== 'handler-did-not-end' ? ` Hang: ${o.hang}` : '';
  return { checks, diagnosis: diagnose(o, failed, exit.crash && !fault.crashExpected) + bugs + hung, ...(facts && { facts }) };
}

// "; died: silent (died silently of SIGSEGV ...)": how it died of a crash signal, in the exit check's words.
const diedText = (d: DeathVerdict | undefined): string => (d ? `; died: ${d.died} (${d.sentence})` : '');

// Where the server's objects cannot be listed (WASAPI without IAudioSessionManager2): an audio
// session is its process's and ends with it, so none is left exactly when none of its processes is.
function orphansByProcess(o: BlackBoxObservation, why: string): CheckResult {
  const n = o.escaped.length;
  return expectation(
    'no-orphans',
    'no object of it left on the server',
    n === 0,
    n === 0 ? 'none (no process left)' : `${n} process(es) left`,
    0,
    '',
    (n === 0 ? 'no audio session of it can be left: none of its processes runs' : `its ${n} process(es) still running may hold streams`) +
      ` (a WASAPI session ends with its process; the sessions themselves cannot be listed here: ${why})`,
  );
}

// The first failures, most telling first: what the program left, then how it ended.
// A crash comes first: what it left is then its consequence.
function diagnose(o: BlackBoxObservation, failed: CheckResult[], crashed: boolean): string {
  // Orphans judged by process (a rig that cannot list its objects): the process that stayed is the finding.
  const first = o.unlisted && !crashed ? ['no-escaped-process'] : [];
  const order = crashed
    ? ['exit', 'no-crash-signature', 'no-orphans', 'no-escaped-process', 'no-files-left', 'victim-heard-after', 'exit-deadline']
    : [...first, 'no-orphans', 'no-escaped-process', 'no-files-left', 'victim-heard-after', 'exit', 'exit-deadline', 'no-crash-signature'];
  const sorted = [...failed].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  return `${o.target.name} (pid ${o.target.pid}) after ${o.fault.label}: ${sorted.map((c) => c.message).join('; ')}`;
}

// One sentence per leftover, a module's own sink and node folded into the module's sentence.
export function orphanSentences(left: InventoryObject[], targetPid: number, when: string): string[] {
  const modules = left.filter((o) => o.kind === 'pulse-module');
  const partOf = (o: InventoryObject) =>
    o.kind !== 'pulse-module'
      ? modules.find((m) => m.detail !== undefined && new RegExp(`(^|[=\\s])${escapeRe(o.name)}(\\s|$)`).test(m.detail))
      : undefined;
  return left
    .filter((o) => !partOf(o))
    .map((o) => {
      const parts = left.filter((p) => partOf(p) === o).map((p) => `${p.kind} ${p.name}`);
      return `orphan: ${describeLeftover(o, targetPid)}${parts.length ? ` with its ${parts.join(' and ')}` : ''} still there ${when}`;
    });
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
