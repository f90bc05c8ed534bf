import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGdbStacks } from './gdb-stacks.ts';
import { stuckIn } from './stuck-in.ts';

// Recorded here: gdb on hilt-engine whose audio thread started MIDI inline (init-on-callback-thread)
// against a JACK server that accepts and never answers.
const recorded = readFileSync(join(import.meta.dirname, 'recorded', 'gdb-live-midi-init-audio-thread.txt'), 'utf8');

describe('stuckIn', () => {
  it('names the thread held in jack_client_open and the calls that led there', () => {
    expect(stuckIn(parseGdbStacks(recorded), /^jack_client_open$/)).toBe(
      'hilt-audio in jack_client_open (<- MidiOutJack::connect <- hilt::openJackOut <- hilt::MidiLink::open)',
    );
  });

  it('says nothing when no thread is in that call', () => {
    expect(stuckIn(parseGdbStacks(recorded), /^no_such_call$/)).toBeUndefined();
    expect(stuckIn(undefined, /x/)).toBeUndefined();
  });
});
