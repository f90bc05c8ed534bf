// The engine addon's lifecycle lines ("hilt-addon[pid] +12.3ms engine#4 threads-joined"), read
// back per instance and checked for the one order that is safe to free in: stop requested,
// threads joined, tap destroyed, freed. A free before the join is numchuck's crash.

export const SAFE_ORDER = ['created', 'started', 'stop-requested', 'threads-joined', 'tap-destroyed', 'freed'] as const;

export interface LifecycleEvent {
  event: string;
  atMs: number; // on the process's own clock
  detail?: string;
}

const LINE = /^hilt-addon\[\d+\] \+([\d.]+)ms engine#(\d+) ([\w-]+)(?: \((.*)\))?$/;

export function parseLifecycle(text: string): Map<number, LifecycleEvent[]> {
  const out = new Map<number, LifecycleEvent[]>();
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw.trim());
    if (!m) continue;
    const id = Number(m[2]);
    const list = out.get(id) ?? [];
    list.push({ event: m[3]!, atMs: Number(m[1]), ...(m[4] ? { detail: m[4] } : {}) });
    out.set(id, list);
  }
  return out;
}

// What is wrong with one instance's life, in words; [] when it was stopped, joined, then freed.
// freed: false where the runtime ends without finalizing (process.exit(), an uncaught
// exception), so stopped, joined and tap destroyed is the whole of a correct end.
export function orderViolations(id: number, events: LifecycleEvent[], { freed = true } = {}): string[] {
  const names = events.map((e) => e.event);
  const problems: string[] = [];
  if (names.includes('freed-while-running')) problems.push(`engine#${id} was freed while its threads were running`);
  if (freed && !names.includes('freed')) problems.push(`engine#${id} was never freed`);
  if (!names.includes('started')) return problems;
  let last = -1;
  for (const step of SAFE_ORDER.filter((s) => freed || s !== 'freed')) {
    const at = names.indexOf(step);
    if (at < 0) {
      if (step !== 'created' && !problems.length) problems.push(`engine#${id} never reached ${step} (saw: ${names.join(' > ')})`);
      continue;
    }
    if (at < last) problems.push(`engine#${id}: ${step} came out of order (saw: ${names.join(' > ')})`);
    last = Math.max(last, at);
  }
  return problems;
}

// Per instance, stop requested to freed: how long one teardown took.
export function teardownMs(events: LifecycleEvent[]): number | undefined {
  const stop = events.find((e) => e.event === 'stop-requested');
  const freed = events.find((e) => e.event === 'freed');
  return stop && freed ? freed.atMs - stop.atMs : undefined;
}
