// hilt-wasapi.exe (native/src/win/wasapi_main.cpp, built by `pnpm build:native:win`): the WASAPI
// rig's recorder and player, and its endpoints and sessions asked of Windows.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AudioIo } from '../../audio/audio-io.ts';
import { HiltError } from '../../errors.ts';
import { ROOT } from '../../root.ts';
import { runTool, type ToolResult } from '../../watchdog/tool.ts';

export const WASAPI_HELPER = join(ROOT, 'native', 'build-win', 'hilt-wasapi.exe');

export function requireWasapiHelper(): string {
  if (existsSync(WASAPI_HELPER)) return WASAPI_HELPER;
  throw new HiltError('RIG_MISSING', 'the WASAPI rig needs hilt-wasapi.exe, which is not built', {
    expected: WASAPI_HELPER,
    seen: 'no such file',
    hint: 'build it: pnpm build:native:win (mingw-w64 and cmake), or copy a built native/build-win/ here',
  });
}

// Its endpoints and sessions end when their answer is written; play and capture when hilt's pipes
// to them close: not handed to the reaper.
export const runWasapi = (args: string[], deadlineMs = 10_000): Promise<ToolResult> =>
  runTool(requireWasapiHelper(), args, { env: {}, reject: false, deadlineMs, endsWithHilt: true });

// The recorder is `capture` (with --loopback: what a render endpoint plays), the player `play`;
// the player ends at stdin's EOF, after playing out what it holds.
export function wasapiIo(opts: { loopback?: boolean } = {}): AudioIo {
  const file = WASAPI_HELPER;
  return {
    recorderName: 'hilt-wasapi capture',
    recorder: (device) => ({ file, args: ['capture', '--endpoint', device, ...(opts.loopback ? ['--loopback'] : [])], endsWithHilt: true }),
    player: (device) => ({ file, args: ['play', '--endpoint', device], endsWithHilt: true }),
    recorderStop: 'SIGTERM',
    playerStop: 'eof',
  };
}
