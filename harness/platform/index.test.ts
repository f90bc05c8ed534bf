// The platform is chosen by process.platform; an OS hilt was never ported to still imports, and
// every fact there says so when asked.
import { describe, expect, test } from 'vitest';
import { isHiltError } from '../errors.ts';
import { darwin } from './darwin.ts';
import { platform, platformFor } from './index.ts';
import { linux } from './linux.ts';
import { thrownBy } from './unsupported-facts.ts';
import { win32 } from './win32.ts';

describe('platformFor', () => {
  test("one object per OS; `platform` is this machine's", () => {
    expect([platformFor('linux'), platformFor('darwin'), platformFor('win32')]).toEqual([linux, darwin, win32]);
    expect(platform).toBe(platformFor(process.platform));
  });

  test('an unported OS: every fact throws PLATFORM_UNSUPPORTED', async () => {
    const bsd = platformFor('freebsd');
    expect(bsd.os).toBe('freebsd');
    const facts = Object.keys(linux).filter((k) => k !== 'os') as Exclude<keyof typeof linux, 'os'>[];
    for (const fact of facts) {
      const e = await thrownBy(bsd, fact);
      expect(isHiltError(e, 'PLATFORM_UNSUPPORTED'), fact).toBe(true);
      expect((e as Error).message).toMatch(new RegExp(`^${fact} on freebsd: not implemented yet`));
    }
  });
});
