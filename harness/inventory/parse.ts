// Parsers for what the audio server says about itself. Pure functions: unit-tested on
// recorded output in fixtures/recorded/.
import { ownerPidFromName, type InventoryObject } from './objects.ts';

type Json = Record<string, unknown>;

// pw-dump may print a second array when objects change while it dumps: accept a stream of
// top-level JSON arrays and concatenate them.
export function parseJsonArrays(text: string): Json[] {
  const out: Json[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (depth++ === 0) start = i;
    } else if ((c === ']' || c === '}') && --depth === 0) {
      const v: unknown = JSON.parse(text.slice(start, i + 1));
      if (Array.isArray(v)) out.push(...(v as Json[]));
    }
  }
  return out;
}

const asArray = parseJsonArrays;

// "<prefix>-..." only: prefix hilt-engine must not claim hilt-engineer-5.
const hasPrefix = (name: unknown, prefix: string): name is string =>
  typeof name === 'string' && (name === prefix || name.startsWith(prefix + '-'));

const obj = (kind: InventoryObject['kind'], id: unknown, name: string, prefix: string): InventoryObject => ({
  kind,
  id: String(id),
  name,
  ownerPid: ownerPidFromName(name, prefix),
  ownerAlive: undefined,
});

// `pactl -f json list modules`: a null sink's name is in its argument string (sink_name=...).
// pipewire-pulse's JSON carries no module index; `sinks` (owner_module) supplies it.
export function parsePulseModules(text: string, prefix: string, sinks: InventoryObject[] = []): InventoryObject[] {
  const out: InventoryObject[] = [];
  for (const m of asArray(text)) {
    const arg = typeof m.argument === 'string' ? m.argument : '';
    const name = /(?:^|\s)sink_name="?([^\s"]+)"?/.exec(arg)?.[1] ?? (typeof m.name === 'string' ? m.name : '');
    if (!hasPrefix(name, prefix)) continue;
    const index = typeof m.index === 'number' ? m.index : sinks.find((s) => s.name === name)?.pulseModule;
    out.push({ ...obj('pulse-module', index ?? '?', name, prefix), pulseModule: index });
  }
  return out;
}

// `pactl -f json list sinks`
export function parsePulseSinks(text: string, prefix: string): InventoryObject[] {
  return asArray(text)
    .filter((s) => hasPrefix(s.name, prefix))
    .map((s) => ({
      ...obj('pulse-sink', s.index, s.name as string, prefix),
      pulseModule: typeof s.owner_module === 'number' ? s.owner_module : undefined,
    }));
}

// `pw-dump`: PipeWire nodes (a Pulse null sink is one; so is a node made with object.linger).
export function parsePwDump(text: string, prefix: string): InventoryObject[] {
  const out: InventoryObject[] = [];
  for (const o of asArray(text)) {
    if (o.type !== 'PipeWire:Interface:Node') continue;
    const props = ((o.info as Json | undefined)?.props ?? {}) as Json;
    const name = props['node.name'];
    if (hasPrefix(name, prefix)) out.push(obj('pw-node', o.id, name, prefix));
  }
  return out;
}

// /proc/<pid>/stat is a Linux platform fact: parsed there, re-exported for this file's tests.
export { parseProcStat } from '../platform/proc-stat.ts';
