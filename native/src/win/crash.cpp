#include "crash.h"

#include <windows.h>

#include "clock_log.h"

namespace hiltwin {

namespace {

constexpr ULONG_PTR kDispatchRoom = 64 * 1024;  // stack left above the guard page for the dispatch

// The last frame: 256 KiB, so its stack probe (___chkstk_ms, page by page downwards) hits the
// guard page while the stack pointer is still kDispatchRoom above it. Wine 8 needs that room: when
// the guard page is hit with only a few KiB left, it cannot set up the exception and silently ends
// the thread instead (measured with 512-byte frames: the main thread vanished and the process ran
// on, its audio still playing), where Windows would end the process with 0xC00000FD.
__attribute__((noinline)) int lastFrame() {
  volatile char frame[256 * 1024];
  frame[0] = 1;
  return frame[0] + frame[sizeof frame - 1];
}

// Recursion in 1 KiB frames, each used after the call returns so neither tail calls nor inlining
// can flatten it, down to the bottom of the stack, then the frame that overflows it (0xC00000FD).
__attribute__((noinline)) int recurse(volatile char* previous) {
  volatile char frame[1024];
  frame[0] = previous ? static_cast<char>(previous[0] + 1) : 0;
  ULONG_PTR low = 0, high = 0;
  GetCurrentThreadStackLimits(&low, &high);
  if (reinterpret_cast<ULONG_PTR>(frame) - low < kDispatchRoom) return lastFrame() + frame[1];
  return recurse(frame) + frame[1];
}

// Access violation (0xC0000005): both levels volatile, or GCC -O2 drops the null store
// (DESIGN.md, "Windows under Wine").
void nullWrite() {
  volatile int* volatile nowhere = nullptr;
  *nowhere = 42;
}

// Heap corruption (0xC0000374): free one block twice. Windows's heap checks the block on the
// second free and, with termination on corruption (the default for 64-bit), raises. Wine 8's heap
// does not (measured: HeapFree returns FALSE, error 87, and the process goes on), so it is raised
// here as Windows's heap would raise it, and the log says which of the two happened.
void doubleFree() {
  HeapSetInformation(GetProcessHeap(), HeapEnableTerminationOnCorruption, nullptr, 0);
  void* block = HeapAlloc(GetProcessHeap(), 0, 64);
  HeapFree(GetProcessHeap(), 0, block);
  const BOOL again = HeapFree(GetProcessHeap(), 0, block);
  logLine(std::string("crash: heap-corruption not raised by the heap (second HeapFree returned ") +
          (again ? "TRUE" : "FALSE") + ", error " + std::to_string(GetLastError()) +
          "): raising 0xC0000374 as Windows's heap does");
  RaiseException(STATUS_HEAP_CORRUPTION, EXCEPTION_NONCONTINUABLE, 0, nullptr);
}

// __fastfail(FAST_FAIL_FATAL_APP_EXIT): mingw-w64 has no intrinsic, so the instruction itself
// (int 0x29 with the code in ecx). Windows ends the process with 0xC0000409, no handler runs.
void fastFail() { __asm__ volatile("int $0x29" : : "c"(FAST_FAIL_FATAL_APP_EXIT) : "memory"); }

}  // namespace

CrashKind crashKindFromName(const std::string& name) {
  if (name == "av") return CrashKind::Av;
  if (name == "stack-overflow") return CrashKind::StackOverflow;
  if (name == "heap-corruption") return CrashKind::HeapCorruption;
  if (name == "fast-fail") return CrashKind::FastFail;
  if (name == "breakpoint") return CrashKind::Breakpoint;
  return CrashKind::None;
}

const char* crashKindName(CrashKind kind) {
  switch (kind) {
    case CrashKind::Av: return "av";
    case CrashKind::StackOverflow: return "stack-overflow";
    case CrashKind::HeapCorruption: return "heap-corruption";
    case CrashKind::FastFail: return "fast-fail";
    case CrashKind::Breakpoint: return "breakpoint";
    case CrashKind::None: break;
  }
  return "none";
}

void crashNow(CrashKind kind, const char* thread) {
  logLine(std::string("crash: ") + crashKindName(kind) + " on " + thread);
  switch (kind) {
    case CrashKind::Av: nullWrite(); break;
    case CrashKind::StackOverflow: recurse(nullptr); break;
    case CrashKind::HeapCorruption: doubleFree(); break;
    case CrashKind::FastFail: fastFail(); break;
    case CrashKind::Breakpoint: __debugbreak(); break;  // int3 inline, in this function
    case CrashKind::None: break;
  }
}

}  // namespace hiltwin
