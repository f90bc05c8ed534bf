// hilt-coreaudio (native/mac/hilt_coreaudio.c, built by `pnpm build:native:mac`): the CoreAudio
// rig's questions to macOS. Its audio in and out is SoX's coreaudio driver (Homebrew's sox has it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AudioIo } from '../../audio/audio-io.ts';
import { HiltError } from '../../errors.ts';
import { which } from '../../proc/which.ts';
import { ROOT } from '../../root.ts';
import { runTool, type ToolResult } from '../../watchdog/tool.ts';

export const COREAUDIO_HELPER = join(ROOT, 'native', 'build-mac', 'hilt-coreaudio');
export const HELPER_FIX =
  'pnpm provision, or by hand: pnpm build:native:mac (cmake and the Xcode command line tools: xcode-select --install)';
export const SOX_FIX = 'brew install sox (its coreaudio driver plays and records for the rig), or pnpm provision';

export function requireCoreaudioHelper(exists = existsSync): string {
  if (exists(COREAUDIO_HELPER)) return COREAUDIO_HELPER;
  throw new HiltError('RIG_MISSING', 'the CoreAudio rig needs hilt-coreaudio, which is not built', {
    expected: COREAUDIO_HELPER,
    seen: 'no such file',
    hint: HELPER_FIX,
  });
}

// SoX's audio device drivers, from its --help ("AUDIO DEVICE DRIVERS: coreaudio"). Pure.
export const soxDrivers = (help: string): string[] => /^AUDIO DEVICE DRIVERS:(.*)$/m.exec(help)?.[1]?.trim().split(/\s+/) ?? [];

const soxHelp = (sox: string): string => spawnSync(sox, ['--help'], { encoding: 'utf8', timeout: 5000 }).stdout ?? '';

// A sox without the coreaudio driver (a build from elsewhere) cannot reach a device: said before the rig starts.
export function requireSox(find: (t: string) => string | undefined = which, help = soxHelp): string {
  const sox = find('sox');
  if (!sox)
    throw new HiltError('RIG_MISSING', "the CoreAudio rig plays and records with SoX's coreaudio driver: sox is not on PATH", {
      expected: 'sox on PATH',
      seen: `PATH=${process.env.PATH ?? ''}`,
      hint: SOX_FIX,
    });
  const drivers = soxDrivers(help(sox));
  if (drivers.includes('coreaudio')) return sox;
  throw new HiltError('RIG_MISSING', `the CoreAudio rig plays and records with SoX's coreaudio driver: ${sox} has none`, {
    expected: "coreaudio among SoX's audio device drivers (sox --help)",
    seen: `AUDIO DEVICE DRIVERS: ${drivers.join(' ') || 'none listed'}`,
    hint: SOX_FIX,
  });
}

// Every subcommand answers at once and exits: nothing for the reaper to take over.
export const runCoreaudio = (args: string[], deadlineMs = 10_000): Promise<ToolResult> =>
  runTool(requireCoreaudioHelper(), args, { env: {}, reject: false, deadlineMs, endsWithHilt: true });

// s16le mono at the rig's rate on stdin/stdout; SoX converts to and from the device's own format.
// --buffer 1920: 20 ms chunks (the default 8192 bytes would deliver the capture in 85 ms lumps).
const RAW = (rate: number) => ['-t', 'raw', '-e', 'signed-integer', '-b', '16', '-c', '1', '-r', String(rate)];

// The recorder ends cleanly on SIGINT (SoX stops reading and exits); the player at stdin's EOF.
export function soxIo(sox = 'sox'): AudioIo {
  return {
    recorderName: 'sox (coreaudio)',
    recorder: (device, rate) => ({ file: sox, args: ['-q', '-V1', '--buffer', '1920', '-t', 'coreaudio', device, ...RAW(rate), '-'] }),
    player: (device, _appName, rate) => ({
      file: sox,
      args: ['-q', '-V1', '--buffer', '1920', ...RAW(rate), '-', '-t', 'coreaudio', device],
    }),
    recorderStop: 'SIGINT',
    playerStop: 'eof',
  };
}
