// What every config file hilt reads (target configs, the release policy) shares: zod pieces whose
// messages say what was expected, and the problems listed one per line with their JSON path.
import { z } from 'zod';

// A strict object whose unknown-key issue names the keys it does know.
export const strict = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys' ? `unknown key (known keys: ${Object.keys(shape).join(', ')})` : 'expected an object',
  });

export const text = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });

// One line per problem: where (a JSON path), what was expected, and what was seen there.
export function configProblems(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.flatMap((iss) =>
    iss.code === 'unrecognized_keys'
      ? iss.keys.map((k) => `${jsonPath([...iss.path, k])}: ${iss.message}`)
      : [`${jsonPath(iss.path)}: ${iss.message}, seen ${seen(valueAt(input, iss.path))}`],
  );
}

// stop.deadlineMs, command[1], controls["a b"].answer
const jsonPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((acc, k) => {
    if (typeof k === 'number') return `${acc}[${k}]`;
    const key = String(k);
    if (/^[\w$-]+$/.test(key)) return acc ? `${acc}.${key}` : key;
    return `${acc}[${JSON.stringify(key)}]`;
  }, '') || '(top level)';

const valueAt = (v: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>((o, k) => (typeof o === 'object' && o !== null ? (o as Record<PropertyKey, unknown>)[k] : undefined), v);

// The offending value as JSON, cut so one bad value cannot flood the message.
export function seen(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
