// The one way a platform says "not here yet": a HiltError naming the fact, the OS and what would
// implement it, so a missing fact is never mistaken for an empty answer.
import { HiltError } from '../errors.ts';

const OS_NAMES: Partial<Record<NodeJS.Platform, string>> = { darwin: 'macOS', win32: 'Windows', linux: 'Linux' };

export const osName = (os: NodeJS.Platform): string => OS_NAMES[os] ?? os;

export function unsupportedError(os: NodeJS.Platform, fact: string, would: string): HiltError {
  return new HiltError('PLATFORM_UNSUPPORTED', `${fact} on ${osName(os)}: not implemented yet (would use ${would})`, {
    expected: `hilt to know ${fact} on ${osName(os)}`,
    seen: `no ${osName(os)} implementation in harness/platform/${os}.ts`,
    hint: `implement it in harness/platform/${os}.ts with ${would}, or run this on Linux`,
  });
}

// A fact's stand-in that throws when asked (synchronously or as a rejected promise, matching the fact).
export const unsupported =
  (os: NodeJS.Platform, fact: string, would: string) =>
  (..._args: unknown[]): never => {
    throw unsupportedError(os, fact, would);
  };

export const unsupportedAsync =
  (os: NodeJS.Platform, fact: string, would: string) =>
  (..._args: unknown[]): Promise<never> =>
    Promise.reject(unsupportedError(os, fact, would));
