// The project's root, whether hilt runs from its TypeScript sources (this file is harness/root.ts)
// or from their compiled copy in node_modules/.cache/hilt/ (harness/cli/bin.mjs builds it there).
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const compiledAt = here.lastIndexOf(`${sep}node_modules${sep}.cache${sep}hilt`);

export const ROOT = compiledAt >= 0 ? here.slice(0, compiledAt) : resolve(here, '..');

// A module of hilt's own by its source path ('scenarios/kill9.scenario.ts'), as this run loads it.
export const moduleFile = (source: string): string =>
  compiledAt >= 0 ? join(ROOT, 'node_modules', '.cache', 'hilt', source.replace(/\.ts$/, '.js')) : join(ROOT, source);
