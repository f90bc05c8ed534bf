// What a black-box target left on the server: the objects new since the baseline that are the
// target's, by owner pid, by name, or because nothing else makes objects on the private rig.
import type { InventoryObject, LeftoverReason } from './objects.ts';
import { objectKey } from './objects.ts';
import type { Snapshot } from './snapshot.ts';

export interface LeftoverOwner {
  pids: number[]; // the target and every descendant hilt saw
  prefix: string; // matched as a substring at a word start of a name or detail; '' matches nothing
  patterns: RegExp[]; // matched against name and detail
  // hilt's own private rig, where nothing but the target makes objects; never the user's server.
  privateServer: boolean;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// The prefix at the start of a word: "app" in "sink_name=app-123", not in "myapp".
export function namedLike(o: Pick<InventoryObject, 'name' | 'detail'>, prefix: string, patterns: RegExp[] = []): boolean {
  const texts = [o.name, o.detail ?? ''];
  const byPrefix = prefix !== '' && new RegExp(`(?:^|[^A-Za-z0-9])${escape(prefix)}`).test(texts.join('\n'));
  return byPrefix || patterns.some((p) => texts.some((t) => ((p.lastIndex = 0), p.test(t))));
}

// Why `o` is the target's, or undefined: the same rule leftovers() applies to what is new.
export function ownedBy(o: InventoryObject, owner: LeftoverOwner): LeftoverReason | undefined {
  if (o.ownerPid !== undefined && owner.pids.includes(o.ownerPid)) return 'owner';
  if (namedLike(o, owner.prefix, owner.patterns)) return 'name';
  // The virtual rig is private: a new object whose owner is dead or unknown can only be the target's.
  // On the user's own server (--rig system) other apps come and go: only owner and name count there.
  if (owner.privateServer && o.kind !== 'process' && (o.ownerPid === undefined || o.ownerAlive === false)) return 'unattributed';
  return undefined;
}

// Objects in `after` and not in `baseline` (by objectKey) that are the target's, each a copy with `why`.
export function leftovers(baseline: Snapshot, after: Snapshot, owner: LeftoverOwner): InventoryObject[] {
  const before = new Set(baseline.objects.map(objectKey));
  const out: InventoryObject[] = [];
  for (const o of after.objects) {
    if (before.has(objectKey(o))) continue;
    const why = ownedBy(o, owner);
    if (why) out.push({ ...o, why });
  }
  return out;
}

const LABELS: Partial<Record<InventoryObject['kind'], string>> = {
  'pulse-module': 'pulse module',
  'pulse-sink': 'pulse sink',
  'pulse-source': 'pulse source',
  'pulse-stream': 'pulse stream',
};

// One sentence per leftover: what it is and why it is put on the target. Leftovers are judged
// after the target ended: its pid is said dead unless targetAlive.
//   pulse module module-null-sink sink_name=app-123 (no owner pid on it: a module a helper such as
//   pactl loaded; target pid 123 dead)
//   pw-node linger-test (object.linger=true, owner pid 456 dead, a child of the target)
export function describeLeftover(o: InventoryObject, targetPid: number, targetAlive = false): string {
  const isModule = o.kind === 'pulse-module';
  const head = `${LABELS[o.kind] ?? o.kind} ${o.name}${isModule && o.detail ? ` ${o.detail}` : ''}`;
  const parts: string[] = [];
  if (!isModule && o.detail) parts.push(o.detail);
  if (o.ownerPid === undefined) {
    parts.push(isModule ? 'no owner pid on it: the server does not say who loaded a module' : 'no owner pid on it');
  } else {
    const state = o.ownerAlive === true ? 'alive' : o.ownerAlive === false ? 'dead' : 'state unknown';
    parts.push(`owner pid ${o.ownerPid} ${state}`);
    if (o.ownerPid === targetPid) parts.push('the target');
    else if (o.why === 'owner') parts.push('a child of the target');
  }
  if (o.why === 'name') parts.push('named like the target (its prefix or a pattern)');
  if (o.why === 'unattributed') parts.push('new on the private rig, where nothing else makes objects');
  const target = o.why === 'owner' ? '' : `; target pid ${targetPid} ${targetAlive ? 'alive' : 'dead'}`;
  return `${head} (${parts.join(', ')}${target})`;
}
