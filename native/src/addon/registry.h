// Every running engine of the process, across the main thread and worker threads: what the
// exit handler stops when the runtime ends without its cleanup hooks (process.exit(), an
// uncaught exception), and where each VM thread publishes its tick (ChucK's host reads a
// static registry of callbacks the same way).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace hilt {

// What the registry can ask of an engine at process exit.
class StopAtExit {
 public:
  virtual void stopAtExit() = 0;

 protected:
  ~StopAtExit() = default;
};

class EngineRegistry {
 public:
  static constexpr size_t kCapacity = 1024;

  // A slot for a started engine; -1 when all are taken (the engine then runs unregistered).
  int add(StopAtExit* engine);
  void remove(int slot);
  // Called by a VM thread every tick: lock-free, so it never waits on the main thread.
  void beat(int slot, uint64_t ticks);
  std::vector<StopAtExit*> live();

 private:
  struct Slot {
    std::atomic<StopAtExit*> engine{nullptr};
    std::atomic<uint64_t> ticks{0};
  };
  std::mutex mutex_;
  std::unique_ptr<Slot[]> slots_ = std::make_unique<Slot[]>(kCapacity);
};

// Chooses the registry's lifetime once per process, then registers the exit handler.
// Fixed: built before the handler is registered and never destroyed, so it outlives every
// thread. Under the bug switch static-registry-after-exit it is a function-local static built
// on first use, after the handler: exit() destroys it first, then the handler and the still
// running VM threads use it (numchuck's exit 139 after all tests had passed).
void installExitHandler(bool staticRegistryBug);
EngineRegistry& registry();

}  // namespace hilt
