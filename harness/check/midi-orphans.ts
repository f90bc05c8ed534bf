// The midi-orphans judge (the reference engine or the Tk app, trait midi-init): an app echoed MIDI
// through its ports, was SIGKILLed with a probe connected, and the MIDI server must have dropped
// its ports within the deadline and the inventory come back to baseline. Pure: the scenario
// (scenarios/midi-orphans.scenario.ts) records the observation; recorded ones test it without a rig.
import type { InventoryObject } from '../inventory/objects.ts';
import type { ExitClass } from '../proc/exit.ts';
import { expectation, type CheckResult, type Judgement } from './check.ts';
import { backToBaseline } from './orphans.ts';

export interface MidiOrphansObservation {
  kind: 'midi-orphans';
  target: { name: string; pid: number };
  app: 'tk' | 'engine';
  bugs: string[];
  goneLimitMs: number;
  echo: { ok: boolean; latencyMs?: number }; // a note on through the app and back, before the kill
  portsBefore: string[]; // the app's ports the MIDI server listed before the kill
  exit: ExitClass;
  portsGoneMs?: number; // the kill to none of its ports listed (absent: not within goneLimitMs)
  portsLeft: string[]; // its ports the server still listed goneLimitMs after the kill
  notBaseline: InventoryObject[]; // objects not in the baseline once the app's pid was gone
}

// Processes of the app still alive after it was killed (a forked child): what holds its ports.
export const midiHolders = (notBaseline: InventoryObject[]): InventoryObject[] =>
  notBaseline.filter((o) => o.kind === 'process' && o.ownerAlive);

export function judgeMidiOrphans(o: MidiOrphansObservation): Judgement {
  const { echo, exit, portsLeft: left } = o;
  const checks: CheckResult[] = [
    expectation(
      'echo-before-kill',
      'the app echoes MIDI before the kill',
      echo.ok,
      echo.ok && echo.latencyMs !== undefined ? `${echo.latencyMs.toFixed(2)} ms` : 'no echo',
      'an echo',
      '',
      'a note on through the app and back: its ports are live and connected',
    ),
    expectation('exit', 'killed by SIGKILL', exit.signal === 'SIGKILL', exit.name, 'SIGKILL', '', 'the kill landed'),
    expectation(
      'midi-ports-gone',
      "the killed app's MIDI ports are gone",
      left.length === 0,
      left.length,
      0,
      'ports',
      left.length
        ? `still on the server ${o.goneLimitMs} ms after the kill: ${left.join(', ')}`
        : `${o.portsBefore.length} port(s) gone ${Math.round(o.portsGoneMs ?? o.goneLimitMs)} ms after the kill`,
    ),
    backToBaseline(o.notBaseline),
  ];
  if (!left.length) return { checks };
  // Other failures keep the run's default diagnosis: the failed checks.
  const holders = midiHolders(o.notBaseline);
  const held = holders.length ? `; still running with the app's name: ${holders.map((s) => s.name).join(', ')}` : '';
  const diagnosis =
    `orphan MIDI ports: ${left.length} port(s) of the SIGKILLed ${o.target.name} (pid ${o.target.pid}, dead) ` +
    `are still on the MIDI server ${o.goneLimitMs} ms later (${left.join(', ')})${held}. ` +
    `Something outside the dead process still holds its connection to the server: ` +
    `a forked child that inherited it${o.bugs.length ? ` (${o.bugs.join(',')})` : ''}.`;
  return { checks, diagnosis };
}
