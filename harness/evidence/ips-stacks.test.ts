// A macOS crash report read as stacks, through the same parseStacks a core's debugger output goes
// through (samples: harness/platform/composed/, COMPOSED from Apple's documented .ips format).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseStacks } from './stack-parsers.ts';

const composed = (file: string) => readFileSync(new URL(`../platform/composed/${file}`, import.meta.url), 'utf8');

describe("parseStacks('ips')", () => {
  test('SIGSEGV: every thread, the crashed one current, its frames as function and image', () => {
    const s = parseStacks('ips', composed('darwin-crash-segv.ips'));
    expect(s.signal).toBe('SIGSEGV');
    expect(s.current).toBe(2);
    expect(s.threads.map((t) => t.name)).toEqual(['com.apple.main-thread', 'hilt-control', 'hilt-audio', undefined]);
    const crashed = s.threads.find((t) => t.id === s.current)!;
    expect(crashed.lwp).toBe(1102742);
    expect(crashed.frames.slice(0, 3)).toEqual([
      { fn: 'hilt::Engine::render(float*, int)', from: 'hilt-engine' },
      { fn: 'hilt::Engine::audioThread()', from: 'hilt-engine' },
      { fn: '??', from: 'hilt-engine' },
    ]);
  });

  test('SIGABRT: the main thread, abort() under hilt::fail', () => {
    const s = parseStacks('ips', composed('darwin-crash-abort.ips'));
    expect(s).toMatchObject({ signal: 'SIGABRT', current: 0 });
    expect(s.threads[0]!.frames.map((f) => f.fn)).toEqual([
      '__pthread_kill',
      'pthread_kill',
      'abort',
      'hilt::fail(char const*)',
      'main',
      'start',
    ]);
  });
});
