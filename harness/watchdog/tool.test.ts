// hilt's own tool against a wedged server: a real pactl talking to a socket that accepts and
// never answers must end as a DEADLINE error with its stacks, not hang the run.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isHiltError } from '../errors.ts';
import { takeHangs } from './hangs.ts';
import { runTool } from './tool.ts';

const dir = mkdtempSync(join(tmpdir(), 'hilt-tool-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A Pulse client writes its cookie under XDG_CONFIG_HOME (else ~/.config/pulse): keep it in the test's dir.
const pulseEnv = (socket: string) => ({ PULSE_SERVER: `unix:${socket}`, XDG_CONFIG_HOME: join(dir, 'config') });

describe('runTool', () => {
  test('a tool stuck on a server that never answers: stacks, killed, DEADLINE with what was seen', async () => {
    const held: Socket[] = [];
    const server = createServer((s) => void held.push(s)); // accepts, reads nothing, says nothing
    const path = join(dir, 'native');
    await new Promise<void>((r) => server.listen(path, r));
    try {
      const err = await runTool('pactl', ['info'], { env: pulseEnv(path), deadlineMs: 500 }).catch((e: unknown) => e);
      expect(isHiltError(err, 'DEADLINE')).toBe(true);
      const e = err as Error;
      expect(e.message).toMatch(/^pactl did not answer: `pactl info` hung/);
      expect(e.message).toMatch(/hilt's own step `pactl info` hung: nothing after 500 ms; main thread in poll/);
      expect(e.message).toMatch(/to fix: {3}the audio server may be stopped or wedged/);
      const hangs = takeHangs();
      expect(hangs).toHaveLength(1);
      expect(hangs[0]!.stacks.text).toMatch(/pa_mainloop/);
    } finally {
      for (const s of held) s.destroy();
      server.close();
    }
  });

  test('a failing tool is TOOL_FAILED with its stderr; reject: false hands back the exit code', async () => {
    const err = await runTool('pactl', ['info'], { env: pulseEnv(join(dir, 'nothing-here')) }).catch((e: unknown) => e);
    expect(isHiltError(err, 'TOOL_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/Connection (refused|failure)|No such file/);
    const r = await runTool('pactl', ['info'], { env: pulseEnv(join(dir, 'nothing-here')), reject: false });
    expect(r.exitCode).not.toBe(0);
  });
});
