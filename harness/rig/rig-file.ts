// The rig file (`--rig-config`): which device pair of the user's server the system rig observes,
// for example a hardware loopback cable or snd-aloop: the output hilt's victims and targets play
// into, and the capture that hears it. Without one, the system rig makes a null sink of its own.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { configProblems, strict, text } from '../config-schema.ts';
import { HiltError } from '../errors.ts';

export const DEFAULT_LOCK_WAIT_S = 600;

export const rigFileSchema = strict({
  $schema: z.string().optional(),
  description: z.string().optional(),
  // A sink name as `pactl list short sinks` prints it.
  output: text('the name of a sink (pactl list short sinks)'),
  // A source that hears `output`: its monitor, or the capture side of a loopback device.
  capture: text('the name of a source that hears the output (pactl list short sources)'),
  // How long a second run waits for this rig while another hilt run holds it.
  lockWaitSeconds: z
    .number({ error: 'expected a number of seconds' })
    .positive({ error: 'expected a number of seconds above 0' })
    .max(86_400, { error: 'expected at most 86400 seconds (a day)' })
    .default(DEFAULT_LOCK_WAIT_S),
});

export type RigFile = z.infer<typeof rigFileSchema> & { file: string };

const HINT = 'see docs/device-runner.md ("The rig file") for a worked example';

export function parseRigFile(json: unknown, file: string): RigFile {
  const parsed = rigFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = configProblems(parsed.error.issues, json);
    const n = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    throw new HiltError('RIG_CONFIG', `rig file ${file} is invalid (${n}):\n${problems.map((p) => `  - ${p}`).join('\n')}`, { hint: HINT });
  }
  return { ...parsed.data, file };
}

export function loadRigFile(file: string): RigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new HiltError('RIG_CONFIG', `rig file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      hint: 'pass --rig-config <path to a rig JSON>',
    });
  }
  try {
    return parseRigFile(JSON.parse(text), file);
  } catch (e) {
    if (e instanceof SyntaxError) throw new HiltError('RIG_CONFIG', `rig file ${file} is not JSON (${e.message})`, { hint: HINT });
    throw e;
  }
}
