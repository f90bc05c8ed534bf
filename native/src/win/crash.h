// Deliberate crashes of the Windows engine, each ending in a known NTSTATUS.
#pragma once
#include <string>

namespace hiltwin {

enum class CrashKind { None = 0, Av, StackOverflow, HeapCorruption, FastFail, Breakpoint };

// "av", "stack-overflow", "heap-corruption", "fast-fail", "breakpoint"; None for anything else.
CrashKind crashKindFromName(const std::string& name);
const char* crashKindName(CrashKind kind);

// Prints "crash: <kind> on <thread>", then does it. Returns only if the fault did not end the
// process (it always should).
void crashNow(CrashKind kind, const char* thread);

}  // namespace hiltwin
