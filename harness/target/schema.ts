// The target config file as written on disk (before ${var} substitution), as a zod schema.
// Why zod rather than ajv: the TypeScript types are inferred from the same schema, its issues carry
// readable paths, and z.toJSONSchema is built in, so one source gives the runtime check, the types
// and the editor schema (schema/target.schema.json, made by write-schema.ts).
import { constants } from 'node:os';
import { z } from 'zod';
import { strict, text } from '../config-schema.ts';

export const SCHEMA_FILE = 'schema/target.schema.json';

// What a target can do beyond a black box; scenarios name the traits they need (scenarios/manifest.ts).
export const TRAITS = [
  'reference-engine',
  'taps-victim',
  'midi-init',
  'gc-churn-program',
  'live-engines-program',
  'jupyter-kernel',
  'windows-engine',
] as const;
const READY_KINDS = ['stdout', 'file', 'port', 'midiPort', 'stream', 'audio'] as const;
const SIGNALS = Object.keys(constants.signals) as [NodeJS.Signals, ...NodeJS.Signals[]];

const deadline = (what: string) =>
  z
    .int({ error: 'expected a positive number of milliseconds' })
    .positive({ error: 'expected a positive number of milliseconds' })
    .default(5000)
    .describe(what);

// A string that must compile as a JavaScript RegExp; the compiler's own error is the message.
const regex = (what: string) =>
  z
    .string({ error: 'expected a regular expression (a string)' })
    .check((ctx) => {
      try {
        new RegExp(ctx.value);
      } catch (e) {
        ctx.issues.push({ code: 'custom', input: ctx.value, message: `expected a valid regular expression (${(e as Error).message})` });
      }
    })
    .meta({ format: 'regex', description: what });

const control = strict({
  send: z
    .string({ error: 'expected a string (the line sent on stdin)' })
    .describe('The line written to its stdin; ${vars} are substituted.'),
  answer: regex('Regex (JavaScript syntax) matched against its output: the line that answers this control.'),
}).describe('A control line and the line that answers it.');

export const targetConfigSchema = strict({
  $schema: z
    .string({ error: 'expected a string' })
    .optional()
    .describe('The JSON Schema this file follows (for editors): ../../schema/target.schema.json.'),
  $comment: z.string({ error: 'expected a string' }).optional().describe('Free text for readers; hilt ignores it.'),
  name: text('a non-empty string').describe('The target\'s name, shown in reports and summary.json ("target").'),
  command: z
    .array(z.string({ error: 'expected a string' }), { error: 'expected a non-empty array of strings' })
    .min(1, { error: 'expected a non-empty array of strings' })
    .describe(
      'The program and its arguments. ${root}, ${output}, ${node}, ${asan_runtime} are substituted; ' +
        'other ${names} are filled by the scenario.',
    ),
  build: z
    .string({ error: 'expected a string' })
    .optional()
    .describe('How to build it, shown when its command or a required file is missing (e.g. "pnpm build:native").'),
  requires: z
    .array(z.string({ error: 'expected a string (a path)' }), { error: 'expected an array of paths' })
    .default([])
    .describe('Files it needs besides its command (e.g. the addon a Node program loads); ${vars} are substituted.'),
  env: z
    .record(
      z.string(),
      z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string (numbers and booleans are turned into strings)' }),
      {
        error: 'expected an object of environment variables',
      },
    )
    .default({})
    .describe('Environment variables added to its environment; ${vars} are substituted in the values.'),
  cwd: z
    .string({ error: 'expected a string (a folder)' })
    .min(1, { error: 'expected a string (a folder)' })
    .optional()
    .describe('The folder it runs in; relative to this config file; ${vars} are substituted. Default: the project root.'),
  ready: strict({
    stdout: regex('Regex (JavaScript syntax) matched against each line it prints, on stdout or stderr.').optional(),
    file: text('a path or a glob').optional().describe('A file (a path or a glob, relative to cwd) that appears when it is ready.'),
    port: z
      .int({ error: 'expected a TCP port number' })
      .min(1, { error: 'expected a TCP port number' })
      .max(65535, { error: 'expected a TCP port number' })
      .optional()
      .describe('A TCP port on 127.0.0.1 that accepts connections once it is ready.'),
    midiPort: regex(
      'Regex (JavaScript syntax): ready when a MIDI port whose name matches appears on the server (JACK name "client:port").',
    ).optional(),
    stream: z
      .literal(true, { error: 'expected true' })
      .optional()
      .describe('true: ready when an audio stream of its process (or a descendant) appears on the server.'),
    audio: z
      .literal(true, { error: 'expected true' })
      .optional()
      .describe("true: ready when its sound (anything besides the victim's tone, above -40 dBFS) is heard on the observed output."),
    deadlineMs: deadline('Milliseconds from launch to ready; past it the launch fails with its output tail.'),
  })
    .check((ctx) => {
      const given = READY_KINDS.filter((k) => ctx.value[k] !== undefined);
      if (given.length !== 1) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          message: `expected exactly one of ${READY_KINDS.join(', ')}${given.length ? ` (seen: ${given.join(', ')})` : ''}`,
        });
      }
    })
    .describe('How hilt knows it is ready: exactly one of stdout, file, port, midiPort, stream, audio; and a deadline.'),
  prefix: text('a non-empty string').describe(
    'Name prefix of the server objects it creates (<prefix>-<pid>): how hilt finds its leftovers.',
  ),
  owns: strict({
    patterns: z
      .array(regex("Regex over an object's name or details (a Pulse module's argument, say)."), { error: 'expected an array of regexes' })
      .default([])
      .describe('Names of objects it makes through helpers (a module loaded by a pactl child carries no pid of the target).'),
    files: z
      .array(text('a path or a glob'), { error: 'expected an array of paths or globs' })
      .default([])
      .describe(
        'Files it makes that must be gone after it ends (relative to cwd; a glob in the last part). ' +
          '/dev/shm entries named with its prefix or patterns are looked for without being listed.',
      ),
  })
    .default({ patterns: [], files: [] })
    .describe('What it owns besides the objects of its own processes and those named with its prefix.'),
  expect: strict({
    exitCodes: z
      .array(z.union([z.int(), z.enum(SIGNALS)], { error: 'expected an exit code or a signal name such as "SIGTERM"' }), {
        error: 'expected an array of exit codes or signal names',
      })
      .min(1, { error: 'expected at least one exit code' })
      .default([0])
      .describe('Exit codes (or signals, for a program that re-raises SIGTERM) that count as a clean stop.'),
    audio: z
      .enum(['plays', 'taps', 'none'], { error: 'expected "plays", "taps" or "none"' })
      .default('none')
      .describe('"plays": it plays sound of its own; "taps": it captures or reroutes other apps; "none": neither.'),
    serverRestart: z
      .enum(['resumes', 'exits'], { error: 'expected "resumes" or "exits"' })
      .default('resumes')
      .describe(
        'When the audio server restarts under it (server-restart): "resumes": it must reconnect and go on (its sound, its ' +
          'objects back); "exits": it may also end by itself, with any exit code (a crash still fails). Silent but alive fails.',
      ),
  })
    .default({ exitCodes: [0], audio: 'none', serverRestart: 'resumes' })
    .describe('What a clean stop looks like, and what it does with audio.'),
  stop: strict({
    method: z
      .enum(['signal', 'stdin-close', 'line', 'command', 'ctrl-break', 'wm-close'], {
        error: 'expected "signal", "stdin-close", "line", "command", "ctrl-break" or "wm-close"',
      })
      .default('signal')
      .describe(
        '"signal": send stop.signal; "stdin-close": close its stdin; "line": write stop.line to its stdin; "command": run stop.command; ' +
          'Windows programs under hilt on Windows: "ctrl-break": Ctrl+Break to its console; "wm-close": WM_CLOSE to its windows.',
      ),
    signal: z
      .enum(SIGNALS, { error: 'expected a signal name such as "SIGTERM"' })
      .default('SIGTERM')
      .describe('The signal sent when method is "signal".'),
    line: z.string({ error: 'expected a string (a line)' }).optional().describe('The line written to its stdin when method is "line".'),
    command: z
      .array(z.string({ error: 'expected a string' }), { error: 'expected a non-empty array of strings' })
      .min(1, { error: 'expected a non-empty array of strings' })
      .optional()
      .describe('The command run when method is "command"; ${pid} is its pid.'),
    deadlineMs: deadline('Milliseconds it has to exit after the stop; past it the watchdog takes stacks, then SIGTERM, then SIGKILL.'),
  })
    .check((ctx) => {
      if (ctx.value.method === 'line' && ctx.value.line === undefined) {
        ctx.issues.push({ code: 'custom', input: ctx.value, path: ['line'], message: 'expected a line: method "line" needs stop.line' });
      }
      if (ctx.value.method === 'command' && ctx.value.command === undefined) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          path: ['command'],
          message: 'expected an argv: method "command" needs stop.command',
        });
      }
    })
    .default({ method: 'signal', signal: 'SIGTERM', deadlineMs: 5000 })
    .describe('How to stop it cleanly, and how long it may take.'),
  bugSwitchEnv: text('a non-empty string (an environment variable name)')
    .optional()
    .describe('Environment variable that carries the bug switches (comma-separated) to the target.'),
  bugSwitches: z
    .array(z.string({ error: 'expected a string' }), { error: 'expected an array of strings' })
    .default([])
    .describe('The bug switches it knows (--bug names a subset).'),
  traits: z
    .array(z.enum(TRAITS, { error: `expected one of ${TRAITS.join(', ')}` }), { error: 'expected an array of trait names' })
    .default([])
    .describe(
      'What it can do for a scenario that needs more than a black box: ' +
        "speaks the reference engine's control lines and log, taps a victim, is one of the addon programs, " +
        'a Jupyter-style kernel, asks for MIDI at run time, or is the Windows engine (crashes on request, under Wine). ' +
        '`pnpm scenario <name> --help` says what each scenario needs.',
    ),
  wine: z
    .boolean({ error: 'expected true or false' })
    .default(false)
    .describe(
      "true: command[0] is a Windows program (.exe), run under Wine in hilt's private prefix through hilt's launcher, " +
        'which reports its full exit code (NTSTATUS); Linux only.',
    ),
  controls: z
    .record(z.string(), control, { error: 'expected an object of named controls' })
    .default({})
    .describe(
      'Named control lines sent on stdin and the regex of their answer, ' +
        'e.g. "stop": {"send": "stop", "answer": "\\\\bkernel stopped\\\\b"}.',
    ),
})
  .describe('A hilt target: how to start a program, know it is ready, stop it, and the prefix of the objects it creates.')
  .meta({ title: 'hilt target config' });

export type TargetConfig = z.output<typeof targetConfigSchema>;

// The editor schema, exactly as schema/target.schema.json holds it.
export const targetJsonSchemaText = (): string =>
  `${JSON.stringify(z.toJSONSchema(targetConfigSchema, { target: 'draft-2020-12', io: 'input' }), null, 2)}\n`;
