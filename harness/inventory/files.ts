// Files a target owns: the paths or globs its config lists, and /dev/shm entries named like it.
// Asked of the file system after it ended; a glob may have a wildcard in its last part only.
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const SHM = '/dev/shm';

const globRe = (name: string) =>
  new RegExp(
    `^${name
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

// Every existing path a glob names (Node 20 has no fs.glob).
export function filesMatching(pattern: string): string[] {
  if (!/[*?[]/.test(basename(pattern))) return existsSync(pattern) ? [pattern] : [];
  const re = globRe(basename(pattern));
  try {
    return readdirSync(dirname(pattern))
      .filter((f) => re.test(f))
      .map((f) => join(dirname(pattern), f));
  } catch {
    return [];
  }
}

// /dev/shm entries now, for a before/after comparison.
export function shmEntries(): string[] {
  try {
    return readdirSync(SHM).map((f) => join(SHM, f));
  } catch {
    return [];
  }
}
