// The objects a name prefix claims, read off one whole-server snapshot (server.ts): the reference
// engine names every object it makes <prefix>-<pid>[-...], so a module is known by the sink or
// source it made (sink_name=), a sink or a node by its own name, and its creator by the pid in
// the name. Pure; the prefix "hilt-engine" does not claim "hilt-engineer-5".
import { ownerPidFromName, type InventoryObject } from './objects.ts';
import { madeBy } from './parse-server.ts';

const claims = (name: string | undefined, prefix: string): name is string =>
  name !== undefined && (name === prefix || name.startsWith(prefix + '-'));

export function byPrefix(server: InventoryObject[], prefix: string): InventoryObject[] {
  const out: InventoryObject[] = [];
  const claimed = (kind: InventoryObject['kind'], o: InventoryObject, name: string): InventoryObject => ({
    kind,
    id: o.id,
    name,
    ownerPid: ownerPidFromName(name, prefix),
    ownerAlive: undefined,
    ...(o.pulseModule !== undefined && kind !== 'pw-node' && { pulseModule: o.pulseModule }),
  });
  for (const o of server) {
    if (o.kind === 'pulse-module') {
      const made = madeBy(o.detail);
      const name = claims(made, prefix) ? made : claims(o.name, prefix) ? o.name : undefined;
      if (name) out.push(claimed('pulse-module', o, name));
    } else if (o.kind === 'pulse-sink' && claims(o.name, prefix)) out.push(claimed('pulse-sink', o, o.name));
    // A node whatever its API: the tap's own node, or one made with object.linger.
    else if ((o.kind === 'pw-node' || o.kind === 'jack-client') && claims(o.name, prefix)) out.push(claimed('pw-node', o, o.name));
  }
  return out;
}
