// For the darwin/win32/index tests: call a platform fact and hand back what it threw (sync or async).
import type { Platform } from './platform.ts';

export async function thrownBy(p: Platform, fact: Exclude<keyof Platform, 'os'>): Promise<unknown> {
  try {
    await (p[fact] as (...a: unknown[]) => unknown)(4242, 'core');
  } catch (e) {
    return e;
  }
  return undefined;
}
