import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { gateBench } from './bench.ts';

describe('gateBench', () => {
  it('times the gate over 10 runners and leaves nothing in the temp dir', async () => {
    const r = await gateBench();
    expect(r.runners).toBe(10);
    expect(r.results).toBe(80);
    expect(r.ms).toBeGreaterThan(0);
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('hilt-gate-bench-'))).toEqual([]);
  });
});
