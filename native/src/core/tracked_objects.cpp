#include "tracked_objects.h"

#include <atomic>

namespace hilt {

namespace {
// Slot value = module index + 1; 0 means empty, so the table is zero-initialised at load time.
std::atomic<uint32_t> gSlots[kMaxTrackedObjects];
static_assert(std::atomic<uint32_t>::is_always_lock_free, "the crash handler needs lock-free slots");
}  // namespace

bool trackObject(uint32_t module) {
  for (auto& slot : gSlots) {
    uint32_t empty = 0;
    if (slot.compare_exchange_strong(empty, module + 1)) return true;
  }
  return false;
}

void untrackObject(uint32_t module) {
  for (auto& slot : gSlots) {
    uint32_t expected = module + 1;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

size_t trackedObjects(uint32_t* out, size_t max) {
  size_t n = 0;
  for (auto& slot : gSlots) {
    const uint32_t v = slot.load();
    if (v != 0 && n < max) out[n++] = v - 1;
  }
  return n;
}

}  // namespace hilt
