// Crash signatures in a target's output: what sanitizers, runtimes and C++ print on the way
// down. Any one is a crash even if the exit code looks clean (a handler may have exited 0).
const SIGNATURES: [RegExp, string][] = [
  [/ERROR: AddressSanitizer: ([\w-]+)/, 'AddressSanitizer: $1'],
  [/WARNING: ThreadSanitizer: ([\w ]+)/, 'ThreadSanitizer: $1'],
  [/ERROR: LeakSanitizer: ([\w ]+)/, 'LeakSanitizer: $1'],
  [/runtime error: (.*)/, 'UBSan runtime error: $1'],
  [/terminate called (after throwing an instance of '[^']*'|without an active exception)/, 'std::terminate: terminate called $1'],
  [/FATAL ERROR: (.*)/, 'V8 fatal error: $1'],
  [/Fatal Python error: (.*)/, 'Fatal Python error: $1'],
  [/Segmentation fault/, 'Segmentation fault'],
];

export function crashSignatures(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    for (const [re, label] of SIGNATURES) {
      const m = re.exec(line);
      if (m) found.push(m[0].replace(re, label).trim());
    }
  }
  return [...new Set(found)];
}

// Where a sanitizer report says it happened: its first frame that has a source location, and
// the thread ("vmLoop at addon.cpp:55 on thread T16").
export function sanitizerWhere(text: string): string | undefined {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /(ERROR|WARNING): (Address|Thread|Leak)Sanitizer:/.test(l));
  if (at < 0) return undefined;
  const thread = /(?:READ|WRITE|Read|Write) of size \d+ at \S+ (?:by )?thread (T\d+)/.exec(lines.slice(at, at + 4).join('\n'))?.[1];
  for (const l of lines.slice(at + 1, at + 40)) {
    const m = /^\s*#\d+ 0x[0-9a-f]+ in (\S+) (\S+\/)?([^/\s]+:\d+)/.exec(l);
    if (m) return `${m[1]} at ${m[3]}${thread ? ` on thread ${thread}` : ''}`;
  }
  return undefined;
}
