// hilt's own version (package.json): in every summary, so the gate can refuse results of another.
import { readFileSync } from 'node:fs';

export const hiltVersion = (): string =>
  (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
