#include "crash.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <malloc.h>
#include <sched.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "crash_guard.h"
#include "log.h"

namespace hilt {

bool isCrashKind(const std::string& k) {
  return k == "segv" || k == "abrt" || k == "bus" || k == "trap" || k == "ill" || k == "fpe" || k == "stack-overflow" ||
         k == "heap-corruption" || k == "terminate" || k == "crash-in-crash";
}

namespace {

void* volatile gFence = nullptr;  // what the crash allocates, kept so it cannot be optimised out
int volatile gNever = 0;

// A recursive graph walk gone wrong: 1 KiB of locals per call, used after the call returns, so the
// compiler can neither drop the frame nor turn the call into a loop. 8 MiB of stack is gone in ~8000 calls.
__attribute__((noinline)) int recurse(volatile char* parent, int depth) {
  volatile char frame[1024];
  frame[0] = static_cast<char>(depth);
  frame[sizeof frame - 1] = parent ? parent[0] : 0;
  if (gNever == depth) return frame[0];  // never true (gNever stays 0, depth starts at 1): no endless-recursion warning
  return recurse(frame, depth + 1) + frame[depth % sizeof frame];
}

// A heap overflow: a 32 KiB buffer (no free bin holds one: it is cut from the top chunk) written
// 8 bytes past its end, over the top chunk's size. The next malloc that needs the top chunk finds
// it ("malloc(): corrupted top size") and aborts inside _int_malloc, with the arena's lock held.
// (Not a double free: glibc 2.36 aborts on those with the lock free; a handler's malloc succeeds.)
void heapOverflow() {
  auto* buffer = static_cast<char*>(std::malloc(32 * 1024));
  *reinterpret_cast<volatile size_t*>(buffer + malloc_usable_size(buffer)) = ~size_t{7};
  gFence = std::malloc(64 * 1024);
}

}  // namespace

// The faults here are deliberate: in a sanitizer build, UBSan must not stop them first (a null
// store or a divide by zero would end as "runtime error", exit 1, instead of the signal).
#if defined(__GNUC__) || defined(__clang__)
__attribute__((no_sanitize("undefined")))
#endif
void crashNow(const std::string& kind) {
  logLine("crash: " + kind + " now");
  if (kind == "stack-overflow") {
    gNever = recurse(nullptr, 1);
  } else if (kind == "heap-corruption") {
    heapOverflow();
  } else if (kind == "terminate") {
    throw std::runtime_error("worker job failed");  // no handler above a worker's job: std::terminate
  } else if (kind == "crash-in-crash") {
    // The second crash waits for the guard to start, then aborts on a thread of its own; the first
    // waits until it is watching, so it cannot miss the guard's run.
    static std::atomic<bool> watching{false};
    std::thread([] {
      pthread_setname_np(pthread_self(), "hilt-crash2");
      installAltStackOnThisThread();
      watching.store(true);
      for (int i = 0; i < 2000000 && !crashGuardRunning(); ++i) sched_yield();
      std::abort();
    }).detach();
    while (!watching.load()) sched_yield();
    volatile int* nowhere = nullptr;
    *nowhere = 42;
  } else if (kind == "segv") {
    volatile int* nowhere = nullptr;
    *nowhere = 42;  // write through a null pointer
  } else if (kind == "abrt") {
    std::abort();
  } else if (kind == "bus") {
    // Touch a mapped page past the end of its (empty) file: the kernel answers with SIGBUS.
    const int fd = memfd_create("hilt-bus", 0);
    auto* page = static_cast<volatile char*>(mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd, 0));
    if (page != MAP_FAILED) (void)page[0];
  } else if (kind == "trap") {
#if defined(__x86_64__) || defined(__i386__)
    __asm__ volatile("int3");
#elif defined(__aarch64__)
    __asm__ volatile("brk #0");
#endif
  } else if (kind == "ill") {
#if defined(__x86_64__) || defined(__i386__)
    __asm__ volatile("ud2");
#elif defined(__aarch64__)
    __asm__ volatile(".inst 0x00000000");  // permanently undefined
#endif
  } else if (kind == "fpe") {
    // Integer division by zero traps on x86; ARM returns 0 instead, so raise it there.
    volatile int zero = 0;
    volatile int r = 1 / zero;
    (void)r;
  }
  // Reached only where the CPU did not fault: die of the signal the bug would have caused.
  const int sig = kind == "segv" || kind == "stack-overflow" || kind == "crash-in-crash" ? SIGSEGV : kind == "bus" ? SIGBUS : kind == "trap" ? SIGTRAP
                : kind == "ill" ? SIGILL : kind == "fpe" ? SIGFPE : SIGABRT;
  raise(sig);
  std::abort();
}

}  // namespace hilt
