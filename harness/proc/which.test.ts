import { describe, expect, it } from 'vitest';
import { which } from './which.ts';

describe('which', () => {
  it('looks a bare word up on PATH and keeps a path as it is', () => {
    expect(which('sh', '/nowhere:/bin:/usr/bin')).toMatch(/^\/(usr\/)?bin\/sh$/);
    expect(which('./x.sh')).toBe('./x.sh');
    expect(which('no-such-program-here', '/bin:/usr/bin')).toBeUndefined();
  });
});
