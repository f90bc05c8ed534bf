// Real crashes on demand, for the crash scenarios: each one is what the bug would do, not a
// raise() of the signal (except where the CPU cannot produce it, noted below).
#pragma once

#include <string>

namespace hilt {

// "segv", "abrt", "bus", "trap", "ill", "fpe", and the field's crashes: "stack-overflow" (an
// unbounded recursion), "heap-corruption" (a heap overflow malloc aborts on), "terminate" (a C++
// exception escapes: thrown here, so only a thread with no handler above it terminates) and
// "crash-in-crash" (a SIGSEGV here, and a second thread aborts while the crash guard runs).
// Returns false for an unknown kind.
bool isCrashKind(const std::string& kind);
[[noreturn]] void crashNow(const std::string& kind);

}  // namespace hilt
