import { describe, expect, it } from 'vitest';
import { crashSignatures, sanitizerWhere } from './crash-signature.ts';

describe('crashSignatures', () => {
  it('names sanitizer reports, std::terminate and V8 fatal errors', () => {
    const text = [
      '==123==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020000000f0',
      "terminate called after throwing an instance of 'Napi::Error'",
      "/work/main/native/src/core/crash.cpp:21:14: runtime error: store to null pointer of type 'volatile int'",
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

// Recorded from gc-teardown --bug gc-free-while-running against the ASan addon; the engine's own
// line landed inside the report, as it does when threads write at once.
const asanReport =
  '==4521==ERROR: AddressSanitizer: heap-use-after-free on address 0x61d000150e80 at pc 0x7f9847eb0d8e ' +
  `bp 0x7f982e0c2b10 sp 0x7f982e0c2b08
READ of size 8 at 0x61d000150e80 thread T16
hilt-engine[4521] +732.6ms tap: destroyed hilt-engine-4521-e5 (module 536870918)
    #0 0x7f9847eb0d8d in vmLoop /work/main/native/src/addon/addon.cpp:55
    #1 0x7f9847ed6c24 in __invoke_impl<void, void (*)((anonymous namespace)::VmState*), (anonymous namespace)::VmState*> ` +
  `/usr/include/c++/12/bits/invoke.h:61
    #6 0x7f986c2d44a2  (/lib/x86_64-linux-gnu/libstdc++.so.6+0xd44a2)`;

describe('sanitizerWhere', () => {
  it('names the first frame with a source line and the thread', () => {
    expect(sanitizerWhere(asanReport)).toBe('vmLoop at addon.cpp:55 on thread T16');
  });
  it('is undefined with no report', () => {
    expect(sanitizerWhere('hilt-addon[1] +1.0ms engine#1 freed')).toBeUndefined();
  });
});
