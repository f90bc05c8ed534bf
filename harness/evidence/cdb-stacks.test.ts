import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseCdbStacks } from './cdb-stacks.ts';

// NOT recorded on this machine: cdb-live-poll-join.txt is composed by hand in cdb's documented `~*k`
// layout (thread header, " # Child-SP RetAddr Call Site", inline frames, "[file @ line]") for the
// process the lldb and gdb samples were recorded from, as `cdb -p PID -pv -c "~*k;qd"` would print it.
// The frames below WS2_32!WSAPoll are a guess. The Windows nightly should replace it with a recorded one.
const sample = readFileSync(new URL('./recorded/cdb-live-poll-join.txt', import.meta.url), 'utf8');

describe('parseCdbStacks', () => {
  test('every thread, its number, thread id, description and frames', () => {
    const s = parseCdbStacks(sample);
    expect(s.current).toBe(0);
    expect(s.threads.map((t) => [t.id, t.lwp, t.name])).toEqual([
      [0, 0x1b30, undefined],
      [1, 0x2f04, 'kernel-shell'],
      [2, 0x1e5c, 'kernel-control'],
      [3, 0x3a10, 'kernel-hb'],
    ]);
    const main = s.threads[0]!.frames;
    expect(main.map((f) => f.fn)).toEqual([
      'NtWaitForSingleObject',
      'WaitForSingleObjectEx',
      '_Thrd_join',
      'std::thread::join',
      'hilt::KernelServer::stop',
      'main',
      'invoke_main',
      '__scrt_common_main_seh',
      'BaseThreadInitThunk',
      'RtlUserThreadStart',
    ]);
    expect(main[2]).toEqual({ fn: '_Thrd_join', from: 'MSVCP140' });
    expect(main[4]).toEqual({ fn: 'hilt::KernelServer::stop', from: 'hilt_kernel' });
    for (const t of s.threads.slice(1)) {
      const poll = t.frames.findIndex((f) => f.fn === 'WSAPoll');
      expect(poll).toBeGreaterThanOrEqual(0);
      expect(poll).toBeLessThanOrEqual(3);
      expect(t.frames[poll]!.from).toBe('WS2_32');
      expect(t.frames[poll + 1]).toEqual({ fn: 'hilt::serve', from: 'hilt_kernel' });
      expect(t.frames.at(-1)).toEqual({ fn: 'RtlUserThreadStart', from: 'ntdll' });
    }
  });

  test('templates keep their arguments; frames without symbols are ??', () => {
    const text = [
      '#  4  Id: 10.20 Suspend: 0 Teb: 00000070`bbc42000 Unfrozen',
      ' # Child-SP          RetAddr           Call Site',
      '00 00000067`e0f3f278 00007ff8`8a192e2d tedrdrv+0x7e70',
      '01 00000067`e0f3f280 00007ff8`8a192803 0x00007fff`ccf71500',
      '02 00000067`e0f3f350 00007ff8`8a192f58 ucrtbase!thread_start<unsigned int (__cdecl*)(void *),1>+0x93',
      '',
      ' 185  Id: 10.13b44 Suspend: 0 Teb: 00000070`bbc44000 Unfrozen "Foreground Worker #0"',
      ' # Child-SP          RetAddr           Call Site',
      '00 00000067`e0f3f278 00007ff8`8a192e2d ntdll!NtWaitForSingleObject+0xa',
    ].join('\n');
    const s = parseCdbStacks(text);
    expect(s.current).toBeUndefined(); // "#" is the event thread, not the current one
    expect(s.threads.map((t) => [t.id, t.lwp, t.name])).toEqual([
      [4, 0x20, undefined],
      [185, 0x13b44, 'Foreground Worker #0'],
    ]);
    expect(s.threads[0]!.frames).toEqual([
      { fn: '??', from: 'tedrdrv' },
      { fn: '??' },
      { fn: 'thread_start<unsigned int (__cdecl*)(void *),1>', from: 'ucrtbase' },
    ]);
  });

  test('output with no threads (cdb could not attach) gives no threads', () => {
    expect(parseCdbStacks('Cannot debug pid 6700, Win32 error 0n5\n    "Access is denied."\n').threads).toEqual([]);
  });
});
