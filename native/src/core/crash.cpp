#include "crash.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>

#include "log.h"

namespace hilt {

bool isCrashKind(const std::string& k) {
  return k == "segv" || k == "abrt" || k == "bus" || k == "trap" || k == "ill" || k == "fpe";
}

// The faults here are deliberate: in a sanitizer build, UBSan must not stop them first (a null
// store or a divide by zero would end as "runtime error", exit 1, instead of the signal).
#if defined(__GNUC__) || defined(__clang__)
__attribute__((no_sanitize("undefined")))
#endif
void crashNow(const std::string& kind) {
  logLine("crash: " + kind + " now");
  if (kind == "segv") {
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
  const int sig = kind == "segv" ? SIGSEGV : kind == "bus" ? SIGBUS : kind == "trap" ? SIGTRAP
                : kind == "ill" ? SIGILL : kind == "fpe" ? SIGFPE : SIGABRT;
  raise(sig);
  std::abort();
}

}  // namespace hilt
