// How every hilt command ends (scenario, rig, report, gate, bench): one table from an error's code
// to the exit code, one way of saying it, and the usage text after a usage error.
// Exit codes: 0 pass, 1 fail or flaky (or an internal error: hilt itself broke), 2 usage or bad
// input (said before anything starts), 77 unavailable, 130/143 interrupted.
import { isHiltError, type HiltErrorCode } from '../errors.ts';

export const ERROR_EXIT: Partial<Record<HiltErrorCode, number>> = {
  USAGE: 2,
  TARGET_CONFIG: 2,
  RIG_CONFIG: 2,
  GATE_INPUT: 2,
  RIG_MISSING: 77,
  ENGINE_NOT_BUILT: 77,
  TARGET_MISSING: 77,
  RIG_BUSY: 77,
};
export const INTERNAL_EXIT = 1;

export interface Command {
  name: string; // "hilt gate"
  usage: string; // printed after a usage error
  run(argv: string[]): Promise<number> | number;
  // Also said on stdout when the caller wants JSON (the gate's --json).
  onError?(e: unknown, code: number): void;
}

// The exit code an error ends a command with, and the line that says it.
export function failure(e: unknown, name: string, usage: string): { code: number; said: string } {
  const code = isHiltError(e) ? (ERROR_EXIT[e.code] ?? INTERNAL_EXIT) : INTERNAL_EXIT;
  if (isHiltError(e) && code !== INTERNAL_EXIT) {
    return { code, said: `${name}: ${e.message}\n${e.code === 'USAGE' ? `\n${usage}\n` : ''}` };
  }
  return { code, said: `${name}: internal error (a defect in hilt, please report it): ${(e as Error)?.stack ?? e}\n` };
}

// Runs a command's main and leaves with its exit code; whatever it throws is said once, here.
export async function runCommand(c: Command): Promise<never> {
  let code: number;
  try {
    code = await c.run(process.argv.slice(2));
  } catch (e) {
    const f = failure(e, c.name, c.usage);
    process.stderr.write(f.said);
    c.onError?.(e, f.code);
    code = f.code;
  }
  process.exit(code);
}
