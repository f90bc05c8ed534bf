// The platform hilt runs on, chosen once by process.platform; platformFor() lets tests and
// exit.ts (which classifies any OS's exit) ask about another OS.
import { isHiltError, type HiltError } from '../errors.ts';
import { darwin } from './darwin.ts';
import { linux } from './linux.ts';
import type { Platform } from './platform.ts';
import { unsupported, unsupportedAsync } from './unsupported.ts';
import { win32 } from './win32.ts';

export type {
  Containment,
  CrashReport,
  Debugger,
  NamedExit,
  Platform,
  ProcessInfo,
  ProcessOrigin,
  ProcessState,
  ResourceLimits,
  StackParser,
  TargetGroup,
  ThreadInfo,
} from './platform.ts';

const PLATFORMS: Partial<Record<NodeJS.Platform, Platform>> = { linux, darwin, win32 };

// An OS hilt has never been ported to: every fact throws, so importing hilt there still works.
function unported(os: NodeJS.Platform): Platform {
  const would = 'a new harness/platform/<os>.ts implementing Platform';
  const facts = Object.keys(linux).filter((k) => k !== 'os') as (keyof Omit<Platform, 'os'>)[];
  const sync = new Set<string>([
    'coreLaunchPrefix',
    'isCoreFile',
    'coreDebugger',
    'stackDebugger',
    'pythonStackDebugger',
    'reaperArgv',
    'exitStatus',
    'containment',
    'newGroup',
  ]);
  const entries = facts.map((k) => [k, sync.has(k) ? unsupported(os, k, would) : unsupportedAsync(os, k, would)]);
  return { os, ...Object.fromEntries(entries) } as Platform;
}

export function platformFor(os: NodeJS.Platform): Platform {
  return PLATFORMS[os] ?? unported(os);
}

export const platform: Platform = platformFor(process.platform);

// For callers that turn a missing fact into evidence ("no stacks: ...") rather than a failure.
export const isUnsupported = (e: unknown): e is HiltError => isHiltError(e, 'PLATFORM_UNSUPPORTED');
