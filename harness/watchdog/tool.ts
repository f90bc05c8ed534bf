// hilt's own tools (pactl, pw-dump) under the same watchdog as a target: a tool stuck on a
// wedged audio server has its stacks taken and is killed, and the step fails with a message,
// never a hung run.
import { HiltError } from '../errors.ts';
import { Child } from '../proc/child.ts';
import { endOf, watch } from './watchdog.ts';

export interface ToolResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
}

export interface ToolOptions {
  env: Record<string, string>;
  deadlineMs?: number; // default 5000
  reject?: boolean; // throw TOOL_FAILED on a non-zero exit (default true)
  endsWithHilt?: boolean; // a tool that ends when hilt does (ChildOptions.endsWithHilt): no reaper
}

export async function runTool(file: string, args: string[], opts: ToolOptions): Promise<ToolResult> {
  const deadlineMs = opts.deadlineMs ?? 5000;
  const line = [file, ...args].join(' ');
  const child = new Child(file, args, {
    name: file,
    env: opts.env,
    rawStdout: true,
    tailLines: 50,
    ...(opts.endsWithHilt && { endsWithHilt: true }),
  });
  const w = await watch(child, child.collectStdout(), { what: `hilt's own step \`${line}\``, softMs: deadlineMs });
  const stdout = w.outcome === 'done' ? w.value : '';
  const end = endOf(w, child);
  if (w.outcome === 'hung') {
    throw new HiltError('DEADLINE', `${file} did not answer: \`${line}\` hung`, {
      expected: `an answer within ${deadlineMs} ms`,
      seen: w.hang.summary,
      hint:
        'the audio server may be stopped or wedged: its stacks are attached; ' +
        'check the rig daemons (pipewire, wireplumber, pipewire-pulse) and rerun',
    });
  }
  const result = { stdout, stderr: child.outputTail(50), exitCode: end.exitCode, signal: end.signal, durationMs: end.durationMs };
  if (opts.reject !== false && end.exitCode !== 0) {
    throw new HiltError('TOOL_FAILED', `\`${line}\` failed`, {
      expected: 'exit 0',
      seen: `exit ${end.exitCode ?? end.signal}: ${result.stderr.slice(0, 300)}`,
      hint: 'is the rig still up? the rig environment is printed in the report',
    });
  }
  return result;
}
