#include "registry.h"

#include <cstdlib>

namespace hilt {

int EngineRegistry::add(StopAtExit* engine) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < kCapacity; ++i) {
    if (!slots_[i].engine.load()) {
      slots_[i].engine.store(engine);
      slots_[i].ticks.store(0);
      return static_cast<int>(i);
    }
  }
  return -1;
}

void EngineRegistry::remove(int slot) {
  if (slot < 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  slots_[slot].engine.store(nullptr);
}

void EngineRegistry::beat(int slot, uint64_t ticks) {
  if (slot >= 0) slots_[slot].ticks.store(ticks, std::memory_order_relaxed);
}

std::vector<StopAtExit*> EngineRegistry::live() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<StopAtExit*> out;
  for (size_t i = 0; i < kCapacity; ++i) {
    if (auto* e = slots_[i].engine.load()) out.push_back(e);
  }
  return out;
}

namespace {
std::atomic<bool> gStaticRegistry{false};
std::once_flag gInstallOnce;

// exit() runs this after process.exit() or an uncaught exception, when Node has skipped the
// environment's cleanup hooks: engines still running are stopped, joined and their taps
// destroyed before the process's static objects go.
void stopLiveEnginesAtExit() {
  for (StopAtExit* e : registry().live()) e->stopAtExit();
}
}  // namespace

EngineRegistry& registry() {
  if (gStaticRegistry.load()) {
    static EngineRegistry destroyedByExit;  // the bug: destroyed by exit() before the handler runs
    return destroyedByExit;
  }
  static EngineRegistry* const outlivesEverything = new EngineRegistry();  // never destroyed
  return *outlivesEverything;
}

void installExitHandler(bool staticRegistryBug) {
  std::call_once(gInstallOnce, [staticRegistryBug] {
    gStaticRegistry.store(staticRegistryBug);
    if (!staticRegistryBug) registry();  // built before the handler, so it is destroyed after it (never)
    std::atexit(stopLiveEnginesAtExit);
  });
}

}  // namespace hilt
