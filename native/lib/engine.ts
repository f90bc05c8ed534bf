// Thin loader over the engine addon (node-midi style): types for the native class, a clear
// error when the addon is not built, nothing else.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface EngineOptions {
  output: string; // sink the engine taps and plays back into
  tapApp?: string; // only tap streams with this application.name
  onTick?: (ticks: number) => void; // called from the VM thread through a thread-safe function
}

export interface Engine {
  start(): void; // connects, sweeps orphans, creates the tap; throws with the reason on failure
  close(): void; // idempotent; any start() after it throws
  readonly tapName: string | null;
  readonly closed: boolean;
  readonly id: number; // the engine#N of its lifecycle lines on stderr
  readonly ticks: number; // VM thread ticks so far
}

interface Addon {
  Engine: new (options: EngineOptions) => Engine;
  bugSwitches(): string[];
  liveEngines(): number; // Engine objects not yet finalized in this thread
}

// The addon's own error, shaped like Node's (a stable `code`): native/lib is a thin layer under
// any program, so it carries no harness code; hilt's HiltError uses the same code for the same case.
export class EngineNotBuilt extends Error {
  readonly code = 'ENGINE_NOT_BUILT';
  constructor(readonly path: string) {
    super(`the engine addon is not built: ${path} does not exist\n  to fix:   build it with: pnpm build:native`);
    this.name = 'EngineNotBuilt';
  }
}

export const ADDON_PATH = fileURLToPath(new URL('../build/Release/hilt_engine.node', import.meta.url));

export function loadEngineAddon(path = ADDON_PATH): Addon {
  if (!existsSync(path)) {
    throw new EngineNotBuilt(path);
  }
  return createRequire(import.meta.url)(path) as Addon;
}
