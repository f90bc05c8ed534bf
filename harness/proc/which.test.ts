import { describe, expect, it } from 'vitest';
import { which } from './which.ts';

describe('which', () => {
  it('looks a bare word up on PATH and keeps a path as it is', () => {
    expect(which('sh', '/nowhere:/bin:/usr/bin')).toMatch(/^\/(usr\/)?bin\/sh$/);
    expect(which('./x.sh')).toBe('./x.sh');
    expect(which('no-such-program-here', '/bin:/usr/bin')).toBeUndefined();
  });
});

describe('which on Windows', () => {
  it('keeps a path with a backslash or a drive as it is (a Windows path was joined onto every PATH entry)', () => {
    expect(which('Z:\\work\\x.exe', 'C:\\Windows', 'win32')).toBe('Z:\\work\\x.exe');
    expect(which('C:/w/x.exe', '', 'win32')).toBe('C:/w/x.exe');
    expect(which('..\\x.exe', '', 'win32')).toBe('..\\x.exe');
  });
  it('a bare word not on a ;-separated PATH is not found', () => {
    expect(which('no-such-program-here', 'C:\\nowhere;D:\\nothing', 'win32')).toBeUndefined();
  });
});
