// Real crashes on demand, for the crash scenarios: each one is what the bug would do, not a
// raise() of the signal (except where the CPU cannot produce it, noted below).
#pragma once

#include <string>

namespace hilt {

// "segv", "abrt", "bus", "trap", "ill", "fpe". Returns false for an unknown kind.
bool isCrashKind(const std::string& kind);
[[noreturn]] void crashNow(const std::string& kind);

}  // namespace hilt
