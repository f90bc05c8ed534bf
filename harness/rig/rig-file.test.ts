import { describe, expect, it } from 'vitest';
import { parseRigFile } from './rig-file.ts';

describe('the rig file', () => {
  it('a device pair; the lock wait defaults to 600 s', () => {
    expect(parseRigFile({ output: 'alsa_output.aloop', capture: 'alsa_input.aloop' }, 'r.json')).toEqual({
      output: 'alsa_output.aloop',
      capture: 'alsa_input.aloop',
      lockWaitSeconds: 600,
      file: 'r.json',
    });
  });
  it('every problem on a line of its own: a typo names the known keys, a wrong type what was seen', () => {
    const e = (() => {
      try {
        parseRigFile({ ouptut: 'x', capture: '', lockWaitSeconds: 'soon' }, 'r.json');
      } catch (err) {
        return err as Error & { code: string };
      }
    })();
    expect(e?.code).toBe('RIG_CONFIG');
    expect(e?.message).toMatch(/rig file r\.json is invalid \(4 problems\)/);
    expect(e?.message).toMatch(/ouptut: unknown key \(known keys: \$schema, description, output, capture, lockWaitSeconds\)/);
    expect(e?.message).toMatch(/output: expected the name of a sink .*seen nothing/);
    expect(e?.message).toMatch(/capture: expected the name of a source .*seen ""/);
    expect(e?.message).toMatch(/lockWaitSeconds: expected a number of seconds, seen "soon"/);
  });
});
