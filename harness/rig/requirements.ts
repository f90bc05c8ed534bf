// What the virtual rig needs on the machine, and how to get it: a missing part makes the
// verdict `unavailable` with this exact advice, never a silent skip.
import { HiltError } from '../errors.ts';
import { which } from '../proc/which.ts';

export const VIRTUAL_RIG_TOOLS: Record<string, string> = {
  pipewire: 'pipewire-bin',
  wireplumber: 'wireplumber',
  'pipewire-pulse': 'pipewire-pulse',
  pactl: 'pulseaudio-utils',
  parecord: 'pulseaudio-utils',
  pacat: 'pulseaudio-utils',
  'pw-dump': 'pipewire-bin',
};

export function missingTools(tools: Record<string, string>, path?: string): string[] {
  return Object.keys(tools).filter((t) => !which(t, path));
}

export function requireVirtualRigTools(path?: string): void {
  const missing = missingTools(VIRTUAL_RIG_TOOLS, path);
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((t) => VIRTUAL_RIG_TOOLS[t]))].join(' ');
  throw new HiltError(
    'RIG_MISSING',
    `the virtual rig needs ${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed`,
    {
      expected: 'a private PipeWire with WirePlumber and pipewire-pulse, and the Pulse client tools',
      seen: `not on PATH: ${missing.join(', ')}`,
      hint: `sudo apt-get install -y ${pkgs}   (or run: pnpm run setup)`,
    },
  );
}
