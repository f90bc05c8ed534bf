// Linux's /proc/<pid>/stat line, parsed. Pure: unit-tested in harness/inventory/parse.test.ts.

// "pid (comm) S ppid pgrp session ...": comm may hold spaces and parentheses.
export function parseProcStat(text: string): { pid: number; comm: string; state: string; ppid: number; session: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: Number(rest[1]),
    session: Number(rest[3]),
  };
}

// /proc/<pid>/limits: "Max core file size  0  unlimited  bytes"; the soft limit is the first value.
export function parseProcLimit(text: string, name: string): number | 'unlimited' | undefined {
  const line = text.split('\n').find((l) => l.startsWith(name));
  const soft = line?.slice(name.length).trim().split(/\s+/)[0];
  if (soft === undefined) return undefined;
  return soft === 'unlimited' ? 'unlimited' : Number(soft);
}
