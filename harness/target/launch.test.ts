// How a target's command is composed from its group's prefix and the platform's core prefix. Pure.
import { describe, expect, test } from 'vitest';
import { joinPrefixes } from './launch.ts';

describe('joinPrefixes', () => {
  test("Windows: the launcher's job and its dump are one launcher run, the job first", () => {
    const group = ['hilt-winrun.exe', '--job', 'Local\\hilt-1-a'];
    expect(joinPrefixes(group, ['hilt-winrun.exe', '--dump-dir', '.'])).toEqual([...group, '--dump-dir', '.']);
  });

  test("Linux: the cgroup's prefix outermost, prlimit inside it; either alone as it is", () => {
    const group = ['/work/hilt-cgexec', '/sys/fs/cgroup/hilt-1/a'];
    const core = ['prlimit', '--core=unlimited', '--'];
    expect(joinPrefixes(group, core)).toEqual([...group, ...core]);
    expect(joinPrefixes([], core)).toEqual(core);
    expect(joinPrefixes(group, [])).toEqual(group);
  });
});
