// Which MIDI probe a rig gets: the virtual rig's JACK MIDI, or the system's MIDI on device
// runners. When neither opens, the error names both and how to get either: `unavailable`.
import { HiltError, isHiltError } from '../errors.ts';
import { JackMidiProbe } from './jack-probe.ts';
import type { MidiProbe } from './probe.ts';
import { SystemMidiProbe } from './system-probe.ts';

export async function openMidiProbe(rig: { kind: string; env: Record<string, string> }): Promise<MidiProbe> {
  if (rig.kind === 'virtual') return JackMidiProbe.open(rig.env);
  try {
    return SystemMidiProbe.open();
  } catch (system) {
    try {
      return await JackMidiProbe.open(rig.env);
    } catch (jack) {
      if (!isHiltError(system, 'RIG_MISSING') || !isHiltError(jack, 'RIG_MISSING')) throw system;
      throw new HiltError('RIG_MISSING', 'no MIDI on this rig: neither system MIDI nor JACK MIDI could be opened', {
        seen: `system MIDI: ${system.message.split('\n')[0]} (${system.seen ?? ''}); JACK MIDI: ${jack.message.split('\n')[0]}`,
        hint: `${system.hint ?? ''}; or for JACK MIDI: ${jack.hint ?? ''}`,
      });
    }
  }
}
