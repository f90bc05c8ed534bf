// A program's path the way a shell finds it: a word with a slash is a path already, a bare word
// is looked up in each PATH directory for an executable file.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function which(word: string, path = process.env.PATH ?? ''): string | undefined {
  if (word.includes('/')) return word;
  for (const dir of path.split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, word), constants.X_OK);
      return join(dir, word);
    } catch {
      /* not here */
    }
  }
  return undefined;
}
