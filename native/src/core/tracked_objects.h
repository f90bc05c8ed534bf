// The crash guard's registry: the server-side objects this process owns right now, in a
// fixed-size table of atomics so a signal handler can read it without locks or allocation.
// Track after create; untrack before destroy.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hilt {

constexpr size_t kMaxTrackedObjects = 64;  // 32 apps with a primary and a secondary tap each

// Returns false when the table is full (the object is then only covered by the guardian and
// the sweep at the next launch).
bool trackObject(uint32_t module);
void untrackObject(uint32_t module);
// Async-signal-safe: copies the tracked module indexes into `out`, returns how many.
size_t trackedObjects(uint32_t* out, size_t max);

}  // namespace hilt
