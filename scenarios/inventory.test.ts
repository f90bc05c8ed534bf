// hilt-inventory against the two tools it replaces, on a real virtual rig: the same objects found
// (kinds, names, owner pids, details), the same props under each PipeWire id and Pulse index, and
// nothing stale once an object is gone.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ToneSource } from '../harness/audio/tone-source.ts';
import { LiveServer } from '../harness/inventory/live-server.ts';
import type { InventoryObject } from '../harness/inventory/objects.ts';
import { pactlLists, parseServer, type ServerOutputs } from '../harness/inventory/parse-server.ts';
import { parseJsonArrays } from '../harness/inventory/parse.ts';
import { serverObjects, toolServerObjects } from '../harness/inventory/server.ts';
import { Child, stopChild } from '../harness/proc/child.ts';
import { VirtualRig } from '../harness/rig/virtual-rig.ts';
import { processState } from '../harness/inventory/snapshot.ts';
import { platform } from '../harness/platform/index.ts';
import { isHiltError } from '../harness/errors.ts';
import { runTool } from '../harness/watchdog/tool.ts';
import { pollUntil, withDeadline } from '../harness/wait.ts';

type Json = Record<string, unknown>;

const SINK = 'hilt-inv-sink';
// Quotes, a backslash and non-ASCII in a name: the helper's JSON escaping is compared with pw-dump's.
const LOOP = 'hilt-inv-loop "q" \\ é';

const JACK_CLIENT = `import sys, rtmidi
m = rtmidi.MidiIn(rtmidi.API_UNIX_JACK, name='hilt-inv-jack')
m.open_virtual_port('in')
print('ready', flush=True)
sys.stdin.read()`;

// Everything parse-server fills in, one line per object, sorted: what "the same objects" means.
const lines = (objects: InventoryObject[]): string[] =>
  objects.map((o) => [o.kind, o.id, o.name, o.key, o.ownerPid, o.detail, o.pulseModule, o.mediaClass].join(' | ')).sort();

// The tools' own raw outputs, in the shape the helper answers.
async function toolOutputs(env: Record<string, string>): Promise<ServerOutputs> {
  const [all, dump] = await Promise.all([
    runTool('pactl', ['-f', 'json', 'list'], { env }).then((r) => r.stdout),
    runTool('pw-dump', ['--no-colors'], { env }).then((r) => parseJsonArrays(r.stdout)),
  ]);
  return { ...pactlLists(all), dump };
}

// A link's ends as pw-dump's info has them.
const linkEnds = (r: Json): unknown[] =>
  ['output-node-id', 'output-port-id', 'input-node-id', 'input-port-id'].map((k) => (r.info as Json)[k]);

// Props by PipeWire id (the four types the helper binds) or by Pulse index, without hilt's own tools.
const OWN = new Set(['pactl', 'pw-dump', 'hilt-inventory']);
function propsById(rows: ServerOutputs['dump'], pick: (r: Json) => unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const r of rows as Json[]) {
    if (r.info === null) continue; // pw-dump's note of an object removed while it dumped
    const props = ((r.info as Json | undefined)?.props ?? r.properties ?? {}) as Json;
    if (OWN.has(String(props['application.process.binary']))) continue;
    if (r.type !== undefined && !/^PipeWire:Interface:(Node|Port|Client|Link)$/.test(String(r.type))) continue;
    out.set(String(r.id ?? r.index), pick(r));
  }
  return out;
}

describe.runIf(process.platform === 'linux')('hilt-inventory on a virtual rig', () => {
  let rig: VirtualRig;
  let live: LiveServer;
  let victim: ToneSource;
  let jack: Child;
  let loop: Child;
  let module: string;

  beforeAll(async () => {
    rig = await VirtualRig.start();
    live = await LiveServer.start(rig.env);
    victim = rig.playTone('hilt-victim', 440);
    module = (await rig.pactl(['load-module', 'module-null-sink', `sink_name=${SINK}`])).stdout.trim();
    // A JACK client with a port of its own (Debian's python3-rtmidi over pipewire-jack), until its stdin closes.
    jack = new Child('/usr/bin/python3', ['-c', JACK_CLIENT], { name: 'jack-client', env: rig.targetEnv, stdin: 'pipe' });
    await withDeadline(jack.waitForLine(/^ready$/), 5000, 'the JACK client ready', 'python3-rtmidi and pipewire-jack: npm run setup');
    loop = new Child('pw-loopback', ['--capture-props', `node.name="${LOOP.replace(/["\\]/g, '\\$&')}"`], {
      name: 'pw-loopback',
      env: rig.env,
    });
    // Everything made above is on the server before the comparisons start.
    const up = await pollUntil(
      async () => {
        const names = (await serverObjects(rig.env, live)).map((o) => o.name);
        return [SINK, LOOP, 'hilt-inv-jack', 'hilt-victim'].every((n) => names.includes(n)) || undefined;
      },
      { deadlineMs: 5000, intervalMs: 20 },
    );
    expect(up.ok, 'the sink, the loopback, the JACK client and the victim on the server').toBe(true);
  }, 30_000);

  afterAll(async () => {
    if (loop) await stopChild(loop, 'SIGTERM', 2000);
    jack?.stdin?.end();
    if (jack) await stopChild(jack, null, 2000);
    await victim?.stop();
    await live?.stop();
    await rig?.stop();
  });

  test('finds the same objects as pactl and pw-dump, with the same props under each id', async () => {
    // The server may change between the asks (a stream's latency props): compare a moment when
    // two helper snapshots, one before and one after the tools, agree with each other.
    let seen = '';
    const same = await pollUntil(
      async () => {
        const before = await live.snapshot();
        const tools = await toolOutputs(rig.env);
        const after = await live.snapshot();
        const view = (o: ServerOutputs) => ({
          objects: lines(parseServer(o)),
          dump: propsById(o.dump, (r) => ({ props: (r.info as Json).props, ends: linkEnds(r) })),
          sinks: propsById(o.sinks, (r) => [r.name, r.owner_module, r.properties]),
          sources: propsById(o.sources, (r) => [r.name, r.owner_module, r.properties]),
          streams: propsById([...(o.sinkInputs as Json[]), ...(o.sourceOutputs as Json[])], (r) => r.properties),
          modules: (o.modules as Json[]).map((m) => [m.name, m.argument, m.properties]),
        });
        const [b, t, a] = [view(before), view(tools), view(after)];
        if (JSON.stringify(b) !== JSON.stringify(a)) return undefined; // changed meanwhile: ask again
        seen = JSON.stringify({ helper: a, tools: t }, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v));
        expect(a.objects).toEqual(t.objects);
        expect(a.objects.length).toBeGreaterThan(20);
        // The helpers' own clients (the rig's and this test's, PipeWire and Pulse) are nobody's objects.
        expect(a.objects.filter((l) => l.includes('hilt-inventory'))).toEqual([]);
        for (const k of ['dump', 'sinks', 'sources'] as const) expect(Object.fromEntries(a[k])).toEqual(Object.fromEntries(t[k]));
        // pactl prints "(null)" for a property it cannot encode (the loopback's name, with a quote,
        // a backslash and é): the helper has the name itself, and otherwise the same props.
        const asPactl = (m: Map<string, unknown>) =>
          [...m].map(([id, p]) => [id, Object.entries(p as Json).map(([k, v]) => [k, v === LOOP ? '(null)' : v])]);
        expect([...a.streams.values()].some((p) => (p as Json)['node.name'] === LOOP)).toBe(true);
        expect(asPactl(a.streams)).toEqual(asPactl(t.streams));
        expect(a.modules).toEqual(t.modules);
        return true;
      },
      { deadlineMs: 10_000, intervalMs: 50 },
    );
    expect(same.ok, `no quiet moment to compare in 10 s; last: ${seen.slice(0, 500)}`).toBe(true);
    const kinds = new Set((await serverObjects(rig.env, live)).map((o) => o.kind));
    for (const k of ['pulse-module', 'pulse-sink', 'pulse-stream', 'pw-node', 'pw-client', 'pw-link', 'jack-client', 'jack-port'])
      expect(kinds, k).toContain(k);
  });

  // Each tool run is a client that comes and goes: the helper's binds race their removal.
  test('keeps answering while clients come and go around it', async () => {
    const asks = Array.from({ length: 20 }, () => live.snapshot());
    const tools = Array.from({ length: 8 }, () => toolOutputs(rig.env));
    await Promise.all([...asks, ...tools]);
    expect(live.failure).toBeUndefined();
  });

  test('an object removed is gone from the very next snapshot', async () => {
    const has = async (name: string) => (await serverObjects(rig.env, live)).some((o) => o.name === name || o.detail?.includes(name));
    expect(await has(SINK)).toBe(true);
    await rig.pactl(['unload-module', module]);
    expect(await has(SINK)).toBe(false);
    expect(await has(LOOP)).toBe(true);
    await stopChild(loop, 'SIGTERM', 2000);
    expect(await has(LOOP)).toBe(false);
    // And the tools agree that what the helper sees now is all there is.
    expect(lines(await serverObjects(rig.env, live))).toEqual(lines(await toolServerObjects(rig.env)));
  });
});

describe.runIf(process.platform === 'linux')('hilt-inventory when the server goes', () => {
  test('pipewire-pulse killed: one {"error"} line and exit 1; the rig says once that later snapshots used the tools', async () => {
    const rig = await VirtualRig.start({ healthCheck: false });
    const run = rig.env.XDG_RUNTIME_DIR!;
    const helpers = async () => (await platform.processesWithEnv('XDG_RUNTIME_DIR', run)).filter((p) => p.name === 'hilt-inventory');
    let live: LiveServer | undefined;
    try {
      live = await LiveServer.start(rig.env);
      expect(await helpers()).toHaveLength(2); // the rig's and this test's
      const pulse = rig.daemonPid('pipewire-pulse')!;
      process.kill(pulse, 'SIGKILL');
      await pollUntil(async () => (await processState(pulse)) === 'gone' || undefined, { deadlineMs: 2000, intervalMs: 10 });
      const err = await live.snapshot().catch((e: unknown) => e);
      expect(isHiltError(err, 'TOOL_FAILED'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(/^hilt-inventory lost the audio server: Pulse: /);
      expect((await live.exited).exitCode).toBe(1);
      expect(isHiltError(await rig.serverInventory().catch((e: unknown) => e), 'TOOL_FAILED')).toBe(true);
      // The next ones are the tools' (failing too: the Pulse server is gone), and the note is there once.
      await rig.serverInventory().catch(() => {});
      await rig.serverInventory().catch(() => {});
      expect(rig.notes.filter((n) => n.startsWith('hilt-inventory stopped answering'))).toHaveLength(1);
    } finally {
      await live?.stop();
      await rig.stop();
    }
    expect(await helpers()).toEqual([]);
  });
});
