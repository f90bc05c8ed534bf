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
