// Imports one way (docs/design.md): harness/ never imports scenarios/, native/lib never imports
// harness/, and no cycle between harness folders. A small test of our own rather than a tool such
// as dependency-cruiser: three rules over relative imports need ~60 lines and no config language.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|cjs|mjs)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

// Every relative import (static, dynamic, re-export, type-only) as [from, to], both root-relative.
export function importEdges(files: string[], read = (f: string) => readFileSync(join(ROOT, f), 'utf8')): [string, string][] {
  const edges: [string, string][] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const f of files) {
    for (const m of read(f).matchAll(re)) edges.push([f, relative(ROOT, resolve(ROOT, dirname(f), m[1]!))]);
  }
  return edges;
}

// A harness file's layer is its folder; files at harness/ itself (errors, wait) are the base.
const folder = (f: string): string => (dirname(f) === 'harness' ? 'harness (base)' : dirname(f).split('/').slice(0, 2).join('/'));

// One cycle in the folder graph, as a path, or undefined.
export function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

export function folderGraph(edges: [string, string][]): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const [a, b] of edges) {
    if (!a.startsWith('harness/') || !b.startsWith('harness/') || folder(a) === folder(b)) continue;
    if (!g.has(folder(a))) g.set(folder(a), new Set());
    g.get(folder(a))!.add(folder(b));
  }
  return g;
}

describe('imports one way', () => {
  const edges = importEdges([...sources('harness'), ...sources('scenarios'), ...sources('native/lib'), ...sources('fixtures')]);
  const broken = (from: string, to: string) =>
    edges.filter(([a, b]) => a.startsWith(from) && b.startsWith(to)).map(([a, b]) => `${a} -> ${b}`);

  it('harness/ never imports scenarios/ (the CLI entry scenarios/cli.ts hands it the catalogue)', () => {
    expect(broken('harness/', 'scenarios/')).toEqual([]);
  });

  it('native/lib never imports harness/ (it is the thin layer under any program)', () => {
    expect(broken('native/lib/', 'harness/')).toEqual([]);
  });

  it('fixtures/ import nothing of hilt (they stand in for programs nobody here wrote)', () => {
    expect([...broken('fixtures/', 'harness/'), ...broken('fixtures/', 'scenarios/')]).toEqual([]);
  });

  it('no cycle between harness folders', () => {
    const cycle = findCycle(folderGraph(edges));
    expect(cycle?.join(' -> ')).toBeUndefined();
  });

  it('the base (harness/errors.ts, harness/wait.ts) imports no other harness folder', () => {
    expect(edges.filter(([a, b]) => folder(a) === 'harness (base)' && b.startsWith('harness/') && folder(b) !== 'harness (base)')).toEqual(
      [],
    );
  });
});

describe('the checker itself', () => {
  it('sees static, dynamic, type-only and re-export imports', () => {
    const text =
      `import a from '../x/a.ts';\nimport type { B } from "./b.ts";\nexport * from '../y/c.ts';\n` +
      `const d = await import('../z/d.ts');\nimport '../w/e.ts';`;
    expect(importEdges(['harness/q/f.ts'], () => text).map(([, b]) => b)).toEqual([
      'harness/x/a.ts',
      'harness/q/b.ts',
      'harness/y/c.ts',
      'harness/z/d.ts',
      'harness/w/e.ts',
    ]);
  });

  it('finds a cycle between folders and none in a chain', () => {
    const g = folderGraph([
      ['harness/a/1.ts', 'harness/b/1.ts'],
      ['harness/b/2.ts', 'harness/c/1.ts'],
      ['harness/c/3.ts', 'harness/a/4.ts'],
    ]);
    expect(findCycle(g)).toEqual(['harness/a', 'harness/b', 'harness/c', 'harness/a']);
    expect(
      findCycle(
        folderGraph([
          ['harness/a/1.ts', 'harness/b/1.ts'],
          ['harness/b/2.ts', 'harness/c/1.ts'],
        ]),
      ),
    ).toBeUndefined();
  });
});
