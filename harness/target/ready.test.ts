import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Child, stopChild } from '../proc/child.ts';
import { parseTargetSpec } from './config.ts';
import { fileAppeared, readyWay } from './ready.ts';

const dir = mkdtempSync(join(tmpdir(), 'hilt-ready-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const spec = (ready: Record<string, unknown>) =>
  parseTargetSpec({ name: 'app', command: ['sleep', '5'], prefix: 'app', ready, cwd: dir }, join(dir, 'app.json'), {});

describe('readyWay', () => {
  it('a file or a glob in its last part', () => {
    expect(fileAppeared(join(dir, '*.pid'))).toBe(false);
    writeFileSync(join(dir, 'app.pid'), '1');
    expect(fileAppeared(join(dir, '*.pid'))).toBe(true);
    expect(fileAppeared(join(dir, 'app.pid'))).toBe(true);
  });

  it('waits for a real file to appear, and gives up at the deadline', async () => {
    const child = new Child('sh', ['-c', `sleep 0.2; touch ${join(dir, 'later.flag')}; sleep 5`], { name: 'sh', env: {} });
    try {
      expect(await readyWay(spec({ file: 'later.flag' }), {}).wait(child, 3000)).toBe(true);
      expect(await readyWay(spec({ file: 'never.flag' }), {}).wait(child, 200)).toBe(false);
    } finally {
      await stopChild(child, 'SIGKILL', 1000);
    }
  });

  it('waits for a real TCP port to accept', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const child = new Child('sleep', ['5'], { name: 'sleep', env: {} });
    try {
      const way = readyWay(spec({ port }), {});
      expect(way.what).toBe(`TCP port ${port} accepting on 127.0.0.1`);
      expect(await way.wait(child, 2000)).toBe(true);
      server.close();
      expect(await readyWay(spec({ port }), {}).wait(child, 200)).toBe(false);
    } finally {
      await stopChild(child, 'SIGKILL', 1000);
    }
  });

  it('a stream: asks the rig about the target and its descendants', async () => {
    const child = new Child('sleep', ['5'], { name: 'sleep', env: {} });
    const asked: number[][] = [];
    try {
      const way = readyWay(spec({ stream: true }), {
        probes: {
          hasStreamOf: async (p) => (asked.push(p), p.includes(4242)),
          descendants: async () => [4242],
          midiPortNames: async () => [],
          soundAfter: async () => false,
        },
      });
      expect(await way.wait(child, 1000)).toBe(true);
      expect(asked[0]).toEqual([child.pid, 4242]);
    } finally {
      await stopChild(child, 'SIGKILL', 1000);
    }
  });

  it('a MIDI port: matched by name among the ports the rig lists, and said in the message', async () => {
    const child = new Child('sleep', ['5'], { name: 'sleep', env: {} });
    let names = ['system:midi_capture_1'];
    setTimeout(() => (names = [...names, 'app-synth:midi_00']), 100);
    const probes = {
      hasStreamOf: async () => false,
      descendants: async () => [],
      midiPortNames: async () => names,
      soundAfter: async () => false,
    };
    try {
      const way = readyWay(spec({ midiPort: '^app-synth:' }), { probes });
      expect(way.what).toBe('a MIDI port matching /^app-synth:/ on the server');
      expect(await readyWay(spec({ midiPort: '^other:' }), { probes }).wait(child, 300)).toBe(false);
      expect(await way.wait(child, 2000)).toBe(true);
    } finally {
      await stopChild(child, 'SIGKILL', 1000);
    }
  });
});
