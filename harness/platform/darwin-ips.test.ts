// macOS crash reports (.ips) on COMPOSED samples (composed/README.md): the exception, the signal,
// the crashed thread's frames; and which report is a given pid's after its launch.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isHiltError } from '../errors.ts';
import {
  crashReportCandidates,
  crashReportDirs,
  frameLine,
  parseCaptureTime,
  parseIps,
  pickCrashReport,
  renderIps,
  type IpsCandidate,
} from './darwin-ips.ts';

const composed = (file: string) => readFileSync(new URL(`./composed/${file}`, import.meta.url), 'utf8');

const SEGV = composed('darwin-crash-segv.ips');
const ABORT = composed('darwin-crash-abort.ips');
const SEGV_AT = Date.parse('2026-12-03T20:41:07.421Z');

describe('parseIps', () => {
  test('SIGSEGV on the audio thread: EXC_BAD_ACCESS, the address, thread 2 "hilt-audio" and its frames', () => {
    const r = parseIps(SEGV);
    expect(r).toMatchObject({
      procName: 'hilt-engine',
      pid: 7420,
      captureMs: SEGV_AT,
      osVersion: 'macOS 14.4.1 (23E224)',
      exceptionType: 'EXC_BAD_ACCESS',
      signal: 'SIGSEGV',
      subtype: 'KERN_INVALID_ADDRESS at 0x0000000000000010',
      termination: 'Namespace SIGNAL, Code 11, Segmentation fault: 11',
      crashedThread: 2,
    });
    expect(r.threads).toHaveLength(4);
    expect(r.threads[2]).toMatchObject({ index: 2, id: 1102742, name: 'hilt-audio', triggered: true });
    expect(r.threads[2]!.frames.map(frameLine)).toEqual([
      'hilt-engine`hilt::Engine::render(float*, int) + 40',
      'hilt-engine`hilt::Engine::audioThread() + 196',
      'hilt-engine + 0x36c4', // no symbol: the offset into the image
      'libsystem_pthread.dylib`_pthread_start + 136',
      'libsystem_pthread.dylib`thread_start + 8',
    ]);
    expect(r.threads[3]!.frames.map(frameLine)).toEqual(['??? + 0x1e18']); // an image the report names no file for
  });

  test('abort(): EXC_CRASH (SIGABRT) on the main thread, hilt::fail under abort', () => {
    const r = parseIps(ABORT);
    expect(r).toMatchObject({ pid: 7688, exceptionType: 'EXC_CRASH', signal: 'SIGABRT', crashedThread: 0 });
    expect(r.subtype).toBeUndefined();
    expect(r.threads[0]!.queue).toBe('com.apple.main-thread');
    expect(r.threads[0]!.frames.map(frameLine)).toEqual([
      'libsystem_kernel.dylib`__pthread_kill + 8',
      'libsystem_pthread.dylib`pthread_kill + 288',
      'libsystem_c.dylib`abort + 180',
      'hilt-engine`hilt::fail(char const*) + 52',
      'hilt-engine`main + 636',
      'dyld`start + 2360',
    ]);
  });

  test('rendered for people: the exception line and the crashed thread, numbered', () => {
    const text = renderIps(parseIps(SEGV), '/Users/builder/Library/Logs/DiagnosticReports/hilt-engine-2026-12-03-204109.ips');
    expect(text.split('\n').slice(0, 6)).toEqual([
      'crash report /Users/builder/Library/Logs/DiagnosticReports/hilt-engine-2026-12-03-204109.ips',
      'hilt-engine [7420] on macOS 14.4.1 (23E224)',
      'EXC_BAD_ACCESS (SIGSEGV): KERN_INVALID_ADDRESS at 0x0000000000000010',
      'termination: Namespace SIGNAL, Code 11, Segmentation fault: 11',
      'crashed thread 2 ("hilt-audio"):',
      '  0   hilt-engine`hilt::Engine::render(float*, int) + 40',
    ]);
    expect(renderIps(parseIps(ABORT))).toMatch(
      /^hilt-engine \[7688\].*\nEXC_CRASH \(SIGABRT\)\n.*\ncrashed thread 0 \(queue com\.apple\.main-thread\):/,
    );
  });

  test('what is not a crash report is TOOL_FAILED saying what was expected and seen', () => {
    const fails = (text: string) => {
      try {
        parseIps(text, 'x.ips');
      } catch (e) {
        expect(isHiltError(e, 'TOOL_FAILED')).toBe(true);
        return (e as Error).message;
      }
      return 'parsed';
    };
    expect(fails('{"bug_type":"309"}')).toMatch(/one line only/);
    expect(fails('Process:   hilt-engine [7420]\nPath: /x\n')).toMatch(
      /\(x\.ips\): its header line is not JSON[^]*expected: a \.ips crash report/,
    );
    expect(fails('{"bug_type":"288","name":"stackshot"}\n{}')).toMatch(/bug_type 288 is not a crash \(309\)/);
    expect(fails(SEGV.replace('"pid" : 7420,', ''))).toMatch(/no exception\.type, pid or threads/);
    expect(fails(SEGV.slice(0, 2000))).toMatch(/its body is not JSON/);
  });

  test('captureTime: four fraction digits and an offset', () => {
    expect(parseCaptureTime('2026-12-03 20:41:07.4218 +0000')).toBe(SEGV_AT);
    expect(parseCaptureTime('2026-12-03 21:41:07.4218 +0100')).toBe(SEGV_AT);
    expect(parseCaptureTime('yesterday')).toBeUndefined();
  });
});

describe('pickCrashReport: the report of this pid, taken after its launch', () => {
  const earlier = SEGV.replace('"captureTime" : "2026-12-03 20:41:07.4218 +0000"', '"captureTime" : "2026-12-03 19:02:00.0000 +0000"');
  const candidates: IpsCandidate[] = [
    { file: 'a/hilt-engine-2026-12-03-190200.ips', mtimeMs: SEGV_AT, text: earlier }, // the pid's earlier owner
    { file: 'a/stackshot.ips', mtimeMs: SEGV_AT, text: '{"bug_type":"288"}\n{"pid":7420}' },
    { file: 'a/hilt-engine-2026-12-03-204431.ips', mtimeMs: SEGV_AT, text: ABORT },
    { file: 'a/hilt-engine-2026-12-03-204109.ips', mtimeMs: SEGV_AT, text: SEGV },
  ];

  test('by pid and capture time; another pid, an older report of the same pid and a non-crash are passed over', () => {
    expect(pickCrashReport(candidates, 7420, SEGV_AT - 5000)?.file).toBe('a/hilt-engine-2026-12-03-204109.ips');
    expect(pickCrashReport(candidates, 7688, SEGV_AT)?.report.signal).toBe('SIGABRT');
    expect(pickCrashReport(candidates, 7420, SEGV_AT + 60_000)).toBeUndefined();
    expect(pickCrashReport(candidates, 1, 0)).toBeUndefined();
  });
});

describe('crashReportCandidates: .ips files written since the launch, in the report folders', () => {
  test("the user's folder then the system's; older, unfinished and other files are left out", async () => {
    const home = mkdtempSync(join(tmpdir(), 'hilt-ips-'));
    const [user] = crashReportDirs(home);
    expect(crashReportDirs(home)).toEqual([join(home, 'Library/Logs/DiagnosticReports'), '/Library/Logs/DiagnosticReports']);
    mkdirSync(user!, { recursive: true });
    const since = Date.now() - 10_000;
    writeFileSync(join(user!, 'hilt-engine-new.ips'), SEGV);
    writeFileSync(join(user!, 'hilt-engine-writing.ips'), SEGV.slice(0, 3000));
    writeFileSync(join(user!, 'hilt-engine.crash'), 'Process: hilt-engine [7420]\n');
    writeFileSync(join(user!, 'hilt-engine-old.ips'), ABORT);
    utimesSync(join(user!, 'hilt-engine-old.ips'), new Date(since - 60_000), new Date(since - 60_000));
    try {
      const found = await crashReportCandidates(since, [user!, join(home, 'missing')]);
      expect(found.map((c) => c.file)).toEqual([join(user!, 'hilt-engine-new.ips')]);
      expect(pickCrashReport(found, 7420, 0)?.report.exceptionType).toBe('EXC_BAD_ACCESS');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
