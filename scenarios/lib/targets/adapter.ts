// What each kind of target does for the fault scenarios (kill9, crash, sigterm, sigint): how the
// fault is made on it, and what it proves about itself. The kind is decided here, once, from the
// target config's traits; a new kind of target is one more file in this folder and one line below.
import type { ScenarioContext } from '../../../harness/scenario/define.ts';
import { blackBox } from './black-box.ts';
import { referenceEngine } from './reference-engine.ts';
import { windowsEngine } from './windows-engine.ts';

export interface CrashAsked {
  signal: string; // segv, abrt, bus, trap, ill, fpe
  thread: string; // main, audio, worker
  point: string; // steady, teardown
}

export interface TargetAdapter {
  kind: string;
  kill(ctx: ScenarioContext): Promise<void>;
  crash(ctx: ScenarioContext, asked: CrashAsked): Promise<void>;
  stopBySignal(ctx: ScenarioContext, sig: 'SIGTERM' | 'SIGINT'): Promise<void>;
}

const has = (ctx: ScenarioContext, ...traits: string[]) => traits.every((t) => ctx.target.traits.includes(t));

export function adapterFor(ctx: ScenarioContext): TargetAdapter {
  if (has(ctx, 'reference-engine', 'taps-victim')) return referenceEngine;
  if (has(ctx, 'windows-engine')) return windowsEngine;
  return blackBox;
}
