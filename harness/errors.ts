// One error type for the whole harness: a stable code for scripts, and a message that says
// what was expected, what was seen, and what to do about it.

export type HiltErrorCode =
  | 'USAGE' // bad command line: exit 2
  | 'RIG_MISSING' // a rig part is not installed: verdict unavailable, exit 77
  | 'RIG_START' // the rig is installed but would not come up
  | 'RIG_HEALTH' // the rig is up but a tone did not make it out and back
  | 'RIG_BUSY' // the rig is held by another hilt run past the wait deadline
  | 'ENGINE_NOT_BUILT' // the reference engine binary is missing
  | 'TARGET_MISSING' // a target's program is not installed: verdict unavailable, exit 77
  | 'TARGET_NOT_READY' // a target missed its readiness deadline
  | 'TARGET_CONFIG' // a target config file is invalid
  | 'RIG_CONFIG' // a rig file (--rig-config) is invalid, or names a device the server does not have: exit 2
  | 'DEADLINE' // a harness step missed its deadline
  | 'TOOL_FAILED' // an external tool (pactl, pw-dump) failed
  | 'PLATFORM_UNSUPPORTED' // an OS fact hilt has no implementation for on this OS yet: says what would implement it
  | 'GATE_INPUT' // the gate's policy or results are missing, malformed, or of another hilt version: exit 2, never a pass
  | 'INTERNAL';

export interface HiltErrorDetails {
  expected?: string;
  seen?: string;
  hint?: string;
  cause?: unknown;
}

export class HiltError extends Error {
  readonly code: HiltErrorCode;
  readonly expected?: string;
  readonly seen?: string;
  readonly hint?: string;

  constructor(code: HiltErrorCode, summary: string, details: HiltErrorDetails = {}) {
    const lines = [summary];
    if (details.expected) lines.push(`  expected: ${details.expected}`);
    if (details.seen) lines.push(`  seen:     ${details.seen}`);
    if (details.hint) lines.push(`  to fix:   ${details.hint}`);
    super(lines.join('\n'), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'HiltError';
    this.code = code;
    this.expected = details.expected;
    this.seen = details.seen;
    this.hint = details.hint;
  }
}

export const isHiltError = (e: unknown, code?: HiltErrorCode): e is HiltError =>
  e instanceof HiltError && (code === undefined || e.code === code);
