// JSON as the audio server's tools print it (parse-server.ts reads each tool's output). Pure,
// unit-tested on recorded output in fixtures/recorded/.

type Json = Record<string, unknown>;

// pw-dump may print a second array when objects change while it dumps: accept a stream of
// top-level JSON arrays and concatenate them.
export function parseJsonArrays(text: string): Json[] {
  const out: Json[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (depth++ === 0) start = i;
    } else if ((c === ']' || c === '}') && --depth === 0) {
      const v: unknown = JSON.parse(text.slice(start, i + 1));
      if (Array.isArray(v)) out.push(...(v as Json[]));
    }
  }
  return out;
}

// /proc/<pid>/stat is a Linux platform fact: parsed there, re-exported for this file's tests.
export { parseProcStat } from '../platform/proc-stat.ts';
