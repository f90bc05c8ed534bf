// A program's path the way a shell finds it: a word with a slash is a path already, a bare word
// is looked up in each PATH directory for an executable file. On Windows a backslash or a drive
// also makes a path, PATH is ;-separated and a bare word may take PATHEXT's endings (.EXE).
import { accessSync, constants } from 'node:fs';
import { posix, win32 } from 'node:path';

export function which(word: string, path = process.env.PATH ?? '', os: NodeJS.Platform = process.platform): string | undefined {
  const windows = os === 'win32';
  if (word.includes('/') || (windows && (word.includes('\\') || /^[A-Za-z]:/.test(word)))) return word;
  const { delimiter, join } = windows ? win32 : posix;
  const endings = windows ? ['', ...(process.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  for (const dir of path.split(delimiter).filter(Boolean)) {
    for (const ending of endings) {
      try {
        accessSync(join(dir, word + ending), constants.X_OK);
        return join(dir, word + ending);
      } catch {
        /* not here */
      }
    }
  }
  return undefined;
}
