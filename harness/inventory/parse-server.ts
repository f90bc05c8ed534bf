// Parsers for a whole-server snapshot (server.ts): every object the audio server lists, not
// filtered by a prefix, with the owner pid the server knows. Pure functions, unit-tested on
// output recorded from a virtual rig (harness/inventory/recorded/).
import type { InventoryObject, ObjectKind } from './objects.ts';
import { parseJsonArrays } from './parse.ts';

type Json = Record<string, unknown>;

// `pactl -f json list` with no type prints every list in one object: one connection to the
// server instead of one per list. Split into what each list's own parser reads (already parsed:
// one JSON.parse for the whole answer). hilt-inventory answers an object of the same shape.
export function pactlLists(all: string | Json): Omit<ServerOutputs, 'dump'> {
  const j = typeof all === 'string' ? (JSON.parse(all) as Json) : all;
  const list = (key: string): Json[] => (Array.isArray(j[key]) ? (j[key] as Json[]) : []);
  return {
    modules: list('modules'),
    sinks: list('sinks'),
    sources: list('sources'),
    sinkInputs: list('sink_inputs'),
    sourceOutputs: list('source_outputs'),
  };
}

// One list as a tool printed it, or already parsed (hilt-inventory's answer is one JSON line).
export type Listed = string | readonly Json[];
const rowsOf = (v: Listed): readonly Json[] => (typeof v === 'string' ? parseJsonArrays(v) : v);

// What `pactl` and `pw-dump` printed for one snapshot (or hilt-inventory answered in their shapes).
export interface ServerOutputs {
  modules: Listed; // pactl -f json list modules
  sinks: Listed; // pactl -f json list sinks
  sources: Listed; // pactl -f json list sources
  sinkInputs: Listed; // pactl -f json list sink-inputs
  sourceOutputs: Listed; // pactl -f json list source-outputs
  dump: Listed; // pw-dump --no-colors
}

const PA_INVALID_INDEX = 4294967295;

// Clients hilt's own inventory and sweep run while they look: never a leftover of anybody.
const HILT_TOOLS = new Set(['pw-dump', 'pactl', 'pw-cli', 'hilt-inventory']);
// The server's own clients (pipewire, pipewire-pulse, wireplumber): a node they hold belongs to
// whoever asked for it (a Pulse module, a lingering node), not to the daemon.
const SERVER_BINARIES = new Set(['pipewire', 'pipewire-pulse', 'wireplumber']);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const pid = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
};
const num = (v: unknown): number | undefined => (v === 0 || v === '0' ? 0 : pid(v));
const propsOf = (o: Json): Json => ((o.properties ?? (o.info as Json | undefined)?.props ?? {}) as Json) ?? {};
const details = (...parts: (string | false | undefined)[]): string | undefined => parts.filter(Boolean).join(', ') || undefined;

// The sink or source a module's argument makes (module-null-sink sink_name=...).
export const madeBy = (argument: string | undefined): string | undefined =>
  /(?:^|\s)(?:sink|source)_name="?([^\s"]+)"?/.exec(argument ?? '')?.[1];

// Module arguments may span lines (pipewire's own modules print their config blocks).
export const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

// The same key twice (two identical modules) gets #2, #3: each stays a distinct object.
function numbered(objects: InventoryObject[]): InventoryObject[] {
  const seen = new Map<string, number>();
  for (const o of objects) {
    const n = (seen.get(o.key!) ?? 0) + 1;
    seen.set(o.key!, n);
    if (n > 1) o.key = `${o.key}#${n}`;
  }
  return objects;
}

const make = (kind: ObjectKind, id: unknown, name: string, key: string, over: Partial<InventoryObject> = {}): InventoryObject => ({
  kind,
  id: String(id),
  name,
  ownerPid: undefined,
  ownerAlive: undefined,
  key,
  ...over,
});

// `pactl -f json list sinks` / `sources`: keyed by name (unique on a Pulse server). A source that
// is a sink's monitor is skipped: it comes and goes with its sink.
function parseDevices(kind: 'pulse-sink' | 'pulse-source', text: Listed): InventoryObject[] {
  const out: InventoryObject[] = [];
  for (const d of rowsOf(text)) {
    const name = str(d.name);
    if (!name) continue;
    const props = propsOf(d);
    if (kind === 'pulse-source' && (props['device.class'] === 'monitor' || str(d.monitor_of_sink) || name.endsWith('.monitor'))) continue;
    const module = typeof d.owner_module === 'number' && d.owner_module !== PA_INVALID_INDEX ? d.owner_module : undefined;
    out.push(
      make(kind, d.index, name, `${kind}:${name}`, {
        ownerPid: pid(props['application.process.id']),
        pulseModule: module,
        detail: details(
          module === undefined ? 'no Pulse module (a PipeWire node)' : `module ${module}`,
          str(props['media.class']) && `media.class=${str(props['media.class'])}`,
        ),
      }),
    );
  }
  return out;
}

export const parseServerSinks = (text: Listed): InventoryObject[] => parseDevices('pulse-sink', text);
export const parseServerSources = (text: Listed): InventoryObject[] => parseDevices('pulse-source', text);

// `pactl -f json list modules`: every module, named by module name, told apart by its argument.
// pipewire-pulse's JSON has no index: it is taken from a sink or source the module made
// (sink_name=/source_name= against owner_module), else left '?' (the sweep looks it up again).
export function parseServerModules(text: Listed, devices: InventoryObject[] = []): InventoryObject[] {
  const out: InventoryObject[] = [];
  for (const m of rowsOf(text)) {
    const name = str(m.name);
    if (!name) continue;
    const argument = oneLine(typeof m.argument === 'string' ? m.argument : '');
    const made = madeBy(argument);
    const index = typeof m.index === 'number' ? m.index : devices.find((d) => d.name === made && d.pulseModule !== undefined)?.pulseModule;
    out.push(
      make('pulse-module', index ?? '?', name, `pulse-module:${name}${argument ? ` ${argument}` : ''}`, {
        pulseModule: index,
        detail: argument || undefined,
      }),
    );
  }
  return numbered(out);
}

// `pactl -f json list sink-inputs` and `source-outputs`: owner from application.process.id, name
// from application.name or media.name. Keyed by direction, index, name and owner: an index may
// be reused, but not by a stream of the same name and process.
export function parseServerStreams(sinkInputs: Listed, sourceOutputs: Listed): InventoryObject[] {
  const out: InventoryObject[] = [];
  for (const [dir, text] of [
    ['sink-input', sinkInputs],
    ['source-output', sourceOutputs],
  ] as const) {
    for (const s of rowsOf(text)) {
      const props = propsOf(s);
      const app = str(props['application.name']);
      const media = str(props['media.name']);
      const name = app ?? media ?? `${dir} ${String(s.index)}`;
      const owner = pid(props['application.process.id']);
      out.push(
        make('pulse-stream', s.index, name, `pulse-stream:${dir}:${String(s.index)}:${name}:${owner ?? ''}`, {
          ownerPid: owner,
          detail: details(dir, app && media && `media.name=${media}`),
        }),
      );
    }
  }
  return numbered(out);
}

// What pw-dump says, indexed: clients, nodes and ports by id, and whose each node is.
function dumpIndex(text: Listed) {
  const all = rowsOf(text);
  const byType = (t: string) => all.filter((o) => o.type === `PipeWire:Interface:${t}`);
  const clients = new Map(byType('Client').map((c) => [num(c.id), propsOf(c)]));
  const nodes = new Map(byType('Node').map((n) => [num(n.id), propsOf(n)]));
  const ports = new Map(byType('Port').map((p) => [num(p.id), propsOf(p)]));
  const clientOwner = (props: Json): number | undefined =>
    // A Pulse client's socket peer is pipewire-pulse: the process is in application.process.id.
    props['client.api'] === 'pipewire-pulse'
      ? pid(props['application.process.id'])
      : (pid(props['pipewire.sec.pid']) ?? pid(props['application.process.id']));
  const nodeName = (id: number | undefined, props = nodes.get(id)): string =>
    str(props?.['node.name']) ?? str(props?.['node.description']) ?? `node ${id ?? '?'}`;
  // A native client's nodes carry no process id of their own: their client's says whose they are.
  const nodeOwner = (props: Json): number | undefined => {
    const own = pid(props['application.process.id']);
    if (own !== undefined) return own;
    const client = clients.get(num(props['client.id']));
    return client && !SERVER_BINARIES.has(String(client['application.process.binary'])) ? clientOwner(client) : undefined;
  };
  const portName = (id: number | undefined, props: Json): string =>
    str(props['port.alias']) ?? `${nodeName(num(props['node.id']))}:${str(props['port.name']) ?? id}`;
  return { byType, clients, nodes, ports, clientOwner, nodeName, nodeOwner, portName };
}

const isJack = (props: Json | undefined) => props?.['client.api'] === 'jack';

// `pw-dump`: nodes (jack-client when client.api=jack), clients, links, and the ports of JACK
// clients. Keyed by kind + id + name; a link by its ends' node and port names (a link remade
// between the same ports is the same link).
export function parseServerDump(text: Listed): InventoryObject[] {
  const { byType, clients, nodes, ports, clientOwner, nodeName, nodeOwner, portName } = dumpIndex(text);
  const out: InventoryObject[] = [];
  for (const [id, props] of nodes) {
    const kind = isJack(props) ? 'jack-client' : 'pw-node';
    const name = nodeName(id, props);
    const mediaClass = str(props['media.class']);
    out.push(
      make(kind, id, name, `${kind}:${id}:${name}`, {
        ownerPid: nodeOwner(props),
        mediaClass,
        detail: details(
          mediaClass && `media.class=${mediaClass}`,
          (props['object.linger'] === true || props['object.linger'] === 'true') && 'object.linger=true',
          isJack(props) && 'client.api=jack',
        ),
      }),
    );
  }
  for (const [id, props] of clients) {
    const binary = str(props['application.process.binary']);
    if (binary && HILT_TOOLS.has(binary)) continue;
    const name = str(props['application.name']) ?? str(props['client.name']) ?? `client ${id}`;
    const api = str(props['client.api']);
    out.push(
      make('pw-client', id, name, `pw-client:${id}:${name}`, {
        ownerPid: clientOwner(props),
        detail: details(binary && `binary ${binary}`, api && `client.api=${api}`),
      }),
    );
  }
  for (const [id, props] of ports) {
    const node = nodes.get(num(props['node.id']));
    if (!isJack(props) && !isJack(node)) continue;
    const name = portName(id, props);
    out.push(make('jack-port', id, name, `jack-port:${id}:${name}`, { ownerPid: node && nodeOwner(node), detail: 'client.api=jack' }));
  }
  for (const l of byType('Link')) {
    const info = (l.info ?? {}) as Json;
    const props = propsOf(l);
    const end = (dir: 'output' | 'input') => {
      const node = num(props[`link.${dir}.node`] ?? info[`${dir}-node-id`]);
      const port = num(props[`link.${dir}.port`] ?? info[`${dir}-port-id`]);
      return { node: nodeName(node), port: str(ports.get(port)?.['port.name']) ?? `port ${port ?? '?'}` };
    };
    const [o, i] = [end('output'), end('input')];
    const name = `${o.node} -> ${i.node}`;
    out.push(make('pw-link', l.id, name, `pw-link:${o.node}:${o.port} -> ${i.node}:${i.port}`, { detail: `${o.port} -> ${i.port}` }));
  }
  return numbered(out);
}

// A MIDI port on the server, whoever made it (JACK, native PipeWire, the ALSA sequencer bridge).
export interface MidiPort {
  name: string; // as JACK clients see it: its alias ("app-synth:midi_00"), else "<node>:<port>"
  direction: 'in' | 'out';
  ownerPid: number | undefined;
}

// `pw-dump`'s ports whose format is MIDI (format.dsp "8 bit raw midi").
export function parseMidiPorts(text: Listed): MidiPort[] {
  const { nodes, ports, nodeOwner, portName } = dumpIndex(text);
  const out: MidiPort[] = [];
  for (const [id, props] of ports) {
    if (!/midi/i.test(String(props['format.dsp'] ?? ''))) continue;
    const node = nodes.get(num(props['node.id']));
    out.push({
      name: portName(id, props),
      direction: props['port.direction'] === 'out' ? 'out' : 'in',
      ownerPid: node && nodeOwner(node),
    });
  }
  return out;
}

// The pids that have an audio stream on the server (media.class Stream/...): readiness by
// "stream". Native PipeWire clients (pw-loopback) count as well as Pulse and JACK ones.
export const streamOwners = (text: Listed): Set<number> =>
  new Set(
    parseServerDump(text)
      .filter((o) => /^Stream\//.test(o.mediaClass ?? '') && o.ownerPid !== undefined)
      .map((o) => o.ownerPid!),
  );

// Every object of one snapshot, owners not yet checked against the OS.
export function parseServer(o: ServerOutputs): InventoryObject[] {
  const sinks = parseServerSinks(o.sinks);
  const sources = parseServerSources(o.sources);
  return [
    ...parseServerModules(o.modules, [...sinks, ...sources]),
    ...sinks,
    ...sources,
    ...parseServerStreams(o.sinkInputs, o.sourceOutputs),
    ...parseServerDump(o.dump),
  ];
}

// `pactl list short modules`: index, name, argument (an argument may span lines). The index a
// module has now: what `pactl unload-module` takes.
export interface ShortModule {
  index: number;
  name: string;
  argument: string; // on one line (oneLine)
}

export function parseShortModules(text: string): ShortModule[] {
  const out: ShortModule[] = [];
  let cur: { index: number; rest: string } | undefined;
  const flush = () => {
    if (!cur) return;
    // name \t argument \t users (empty on pipewire-pulse)
    const [name = '', ...rest] = cur.rest.split('\t');
    out.push({ index: cur.index, name, argument: oneLine((rest.length > 1 ? rest.slice(0, -1) : rest).join('\t')) });
  };
  for (const line of text.split('\n')) {
    const m = /^(\d+)\t(.*)$/.exec(line);
    if (m) {
      flush();
      cur = { index: Number(m[1]), rest: m[2]! };
    } else if (cur) cur.rest += '\n' + line;
  }
  flush();
  return out;
}
