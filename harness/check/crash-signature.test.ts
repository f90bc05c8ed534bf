import { describe, expect, it } from 'vitest';
import { crashSignatures } from './crash-signature.ts';

describe('crashSignatures', () => {
  it('names sanitizer reports, std::terminate and V8 fatal errors', () => {
    const text = [
      '==123==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020000000f0',
      "terminate called after throwing an instance of 'Napi::Error'",
      '/work/main/native/src/core/crash.cpp:21:14: runtime error: store to null pointer of type \'volatile int\'',
      'FATAL ERROR: v8::HandleScope::CreateHandle() Cannot create a handle without a HandleScope',
      'WARNING: ThreadSanitizer: data race (pid=1)',
    ].join('\n');
    expect(crashSignatures(text)).toEqual([
      'AddressSanitizer: heap-use-after-free',
      "std::terminate: terminate called after throwing an instance of 'Napi::Error'",
      "UBSan runtime error: store to null pointer of type 'volatile int'",
      'V8 fatal error: v8::HandleScope::CreateHandle() Cannot create a handle without a HandleScope',
      'ThreadSanitizer: data race',
    ]);
  });

  it('is empty for a clean log and reports each signature once', () => {
    expect(crashSignatures('hilt-addon[1] +1.0ms engine#1 freed\ndone cycles=3')).toEqual([]);
    expect(crashSignatures('Segmentation fault\nSegmentation fault')).toEqual(['Segmentation fault']);
  });
});
