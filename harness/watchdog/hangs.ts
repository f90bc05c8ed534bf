// Every hang the watchdog catches during a scenario, wherever it was caught (a stop call, a
// teardown, one of hilt's own tools): the scenario frame attaches their stacks and fails on them.
import type { Hang } from './watchdog.ts';

const seen: Hang[] = [];

export function reportHang(h: Hang): void {
  seen.push(h);
}

// Hands over the hangs seen since the last call.
export function takeHangs(): Hang[] {
  return seen.splice(0, seen.length);
}
