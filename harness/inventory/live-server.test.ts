// parseAnswer: hilt-inventory's one answer line into what parseServer reads, and its errors.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isHiltError } from '../errors.ts';
import { parseAnswer } from './live-server.ts';
import { parseServer, pactlLists } from './parse-server.ts';
import { parseJsonArrays } from './parse.ts';

const recorded = (f: string) => readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'recorded', f), 'utf8');

describe('parseAnswer', () => {
  it('an answer holding the recorded pactl and pw-dump outputs finds what the tools found', () => {
    const pactl = JSON.parse(recorded('pactl-list-all.json')) as Record<string, unknown>;
    const dump = parseJsonArrays(recorded('pw-dump.json'));
    const fromTools = parseServer({ ...pactlLists(recorded('pactl-list-all.json')), dump: recorded('pw-dump.json') });
    const fromAnswer = parseServer(parseAnswer(JSON.stringify({ pactl, dump })));
    expect(fromAnswer).toEqual(fromTools);
    expect(fromAnswer.length).toBeGreaterThan(20);
  });

  it('an empty server is no objects', () => {
    expect(parseServer(parseAnswer('{"pactl":{},"dump":[]}'))).toEqual([]);
  });

  it("the helper's own error is TOOL_FAILED naming it", () => {
    const e = (() => {
      try {
        parseAnswer('{"error":"PipeWire: connection error (Broken pipe)"}');
      } catch (err) {
        return err;
      }
    })();
    expect(isHiltError(e, 'TOOL_FAILED')).toBe(true);
    expect((e as Error).message).toMatch(/hilt-inventory lost the audio server: PipeWire: connection error \(Broken pipe\)/);
  });

  it('a line that is not JSON, or not its shape, is TOOL_FAILED with the line as seen', () => {
    for (const line of ['snapshot', '{"pactl":[],"dump":[]}', '{"dump":[]}', '[]']) {
      expect(() => parseAnswer(line)).toThrow(expect.objectContaining({ code: 'TOOL_FAILED', seen: line }));
    }
  });
});
