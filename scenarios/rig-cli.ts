// The `pnpm rig` entry: `rig check` says what a runner has and whether the chosen rig works
// (docs/device-runner.md, "The rig check"). It hands the harness the MIDI
// probe (harness/midi imports harness/rig, so the rig check cannot import it itself).
import { parseArgs } from 'node:util';
import { argsError } from '../harness/cli/args.ts';
import { reaper } from '../harness/cleanup/reaper.ts';
import { HiltError } from '../harness/errors.ts';
import { runCommand } from '../harness/cli/entry.ts';
import { JackMidiProbe } from '../harness/midi/jack-probe.ts';
import { checkRig } from '../harness/rig/check/facts.ts';
import { formatRigCheck, rigCheckJson } from '../harness/rig/check/format.ts';
import { defaultRigKind, type RigKind } from '../harness/rig/rig.ts';
import { loadRigFile, type RigFile } from '../harness/rig/rig-file.ts';
import { resolve } from 'node:path';

const USAGE = `usage:
  pnpm rig check [--rig virtual|system] [--rig-server <runtime dir|socket|address>] [--rig-config <rig file>] [--json]
  pnpm rig --help

check: what this runner has and whether the rig works: OS, kernel and CPUs; the audio server; the
output and capture devices and the loopback hilt would use, verified with a 440 Hz tone out and
back (latency and level); MIDI (a round trip where the probe can make one); debuggers, Xvfb, Wine
and mingw. Every missing part is said with the command that gets it.
  --rig virtual  hilt's own private PipeWire, started and stopped by the check (default; Linux only)
  --rig system   the session's running audio server (XDG_RUNTIME_DIR, PULSE_SERVER); never started,
                 restarted or stopped; the check adds a null sink hilt-check-<pid> and removes it.
                 On Windows (the default there): the WASAPI endpoints, played and captured by hilt-wasapi.exe
                 On macOS (the default there): BlackHole 2ch through sox's coreaudio driver, and hilt-coreaudio
  --rig-server   (system) a server other than the session's: its runtime dir, pulse/native socket or tcp:HOST:PORT
  --rig-config   (system) a rig file naming the device pair to measure (docs/device-runner.md)
  --json         the whole report as JSON on stdout (for workflows)
exit codes: 0 the rig is usable, 77 it is not (what is missing is said), 2 usage error`;

const usage = (what: string, seen?: string, expected = 'pnpm rig check [--rig virtual|system] [--json]'): never => {
  throw new HiltError('USAGE', what, { expected, ...(seen ? { seen } : {}), hint: 'run `pnpm rig --help`' });
};

interface RigArgs {
  help: boolean;
  json: boolean;
  rig: RigKind;
  server?: string;
  rigFile?: RigFile;
}

function parseRigArgs(argv: string[]): RigArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        rig: { type: 'string' },
        'rig-server': { type: 'string' },
        'rig-config': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    argsError(e as Error, { rig: 'virtual or system', 'rig-server': 'a server', 'rig-config': 'a rig file' }, (what) =>
      usage(what, argv.join(' ')),
    );
  }
  const v = parsed.values;
  const a: RigArgs = { help: !!v.help, json: !!v.json, rig: defaultRigKind() };
  if (a.help) return a;
  const [command, ...rest] = parsed.positionals;
  if (command === undefined) usage('no command given', argv.join(' ') || '(nothing)', 'the command `check`');
  if (command !== 'check') usage(`unknown command "${command}"`, command, 'the command `check`');
  if (rest.length) usage('check takes no arguments', rest.join(' '));
  if (v.rig !== undefined) {
    if (v.rig !== 'virtual' && v.rig !== 'system') usage(`bad --rig value "${v.rig}"`, `--rig ${v.rig}`, '--rig virtual or --rig system');
    a.rig = v.rig as RigKind;
  }
  for (const flag of ['rig-server', 'rig-config'] as const) {
    if (v[flag] !== undefined && a.rig !== 'system')
      usage(`--${flag} is for the system rig`, `--${flag} ${v[flag]}`, `--rig system --${flag} ...`);
  }
  if (v['rig-server'] !== undefined) a.server = v['rig-server'];
  if (v['rig-config'] !== undefined) a.rigFile = loadRigFile(resolve(v['rig-config']));
  return a;
}

async function main(argv: string[]): Promise<number> {
  const args = parseRigArgs(argv);
  if (args.help) return (void process.stdout.write(`${USAGE}\n`), 0);
  try {
    const report = await checkRig({
      rig: args.rig,
      ...(args.server !== undefined && { server: args.server }),
      ...(args.rigFile && { rigFile: args.rigFile }),
      openMidiProbe: (env) => JackMidiProbe.open(env, `hilt-check-midi-${process.pid}`),
    });
    process.stdout.write(`${args.json ? rigCheckJson(report) : formatRigCheck(report)}\n`);
    return report.exitCode;
  } finally {
    reaper.close();
  }
}

await runCommand({ name: 'hilt rig', usage: USAGE, run: main });
