// Every wait has a deadline and a measured duration. Conditions are polled at a short
// interval (never a fixed sleep standing in for an event) and the time actually waited is returned.
import { HiltError } from './errors.ts';

export interface Waited<T> {
  ok: boolean;
  value?: T;
  waitedMs: number;
}

export const now = (): number => performance.now();

export async function pollUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { deadlineMs: number; intervalMs?: number },
): Promise<Waited<T>> {
  const start = now();
  const interval = opts.intervalMs ?? 10;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return { ok: true, value, waitedMs: now() - start };
    if (now() - start >= opts.deadlineMs) return { ok: false, waitedMs: now() - start };
    await new Promise((r) => setTimeout(r, interval));
  }
}

// Races a promise against a deadline; on a miss throws HiltError DEADLINE naming the step.
export async function withDeadline<T>(promise: Promise<T>, deadlineMs: number, step: string, hint?: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const start = now();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new HiltError('DEADLINE', `${step} did not finish within its deadline`, {
            expected: `done within ${deadlineMs} ms`,
            seen: `still running after ${Math.round(now() - start)} ms`,
            hint,
          }),
        ),
      deadlineMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
