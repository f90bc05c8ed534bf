#include "crash_guard.h"

#include <cxxabi.h>
#include <execinfo.h>
#include <signal.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <typeinfo>

#include "log.h"
#include "pulse_wire.h"
#include "signal_safe.h"
#include "tracked_objects.h"

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51  // Linux 5.14+ reports the kernel's signal frame size here
#endif

namespace hilt {

namespace {

const int kCrashSignals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGTRAP, SIGILL, SIGFPE};
// The guard's own frames (report lines, the module table, backtrace's unwinder) on top of the
// kernel's signal frame; 64 KiB as sentry-native keeps, more where the CPU's frame is large (AMX).
const size_t kAltStackFloor = 64 * 1024;
const size_t kGuardBudget = 48 * 1024;

CrashGuardOptions gOptions;
const PulseWire* gWire = nullptr;
std::atomic<int> gGuardianFd{-1};
std::atomic<long> gOwner{0};  // the thread id of the handler doing the cleanup; 0: none yet
std::atomic<bool> gTerminate{false};
static_assert(std::atomic<long>::is_always_lock_free, "the crash handler needs a lock-free owner");

size_t altStackSize() {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t want = std::max(kAltStackFloor, static_cast<size_t>(getauxval(AT_MINSIGSTKSZ)) + kGuardBudget);
  return (want + page - 1) / page * page;
}

// One per thread, mapped with a PROT_NONE page below it (an overflow of the handler itself faults
// instead of writing over the heap); at thread exit the previous stack (a sanitizer's) comes back.
struct AltStack {
  char* map = nullptr;
  size_t mapped = 0;
  stack_t previous{};
  ~AltStack() {
    if (!map) return;
    sigaltstack(&previous, nullptr);
    munmap(map, mapped);
  }
};
thread_local AltStack tAltStack;

const char* threadName(char (&name)[17]) {
  prctl(PR_GET_NAME, reinterpret_cast<unsigned long>(name), 0, 0, 0);
  return name;
}

void resetAndRaise(int sig) {
  struct sigaction dfl{};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  raise(sig);  // blocked while the handler runs: delivered when it returns, the process dies of it
}

// Another thread is cleaning up: this crash must neither clean again nor kill the process before
// the first one is done. It waits, and dies with the process when the first signal is re-raised.
void secondCrash(int sig) {
  char name[17] = {};
  SafeLine line;
  logPrefix(line, logName()).str("crashguard: second crash SIG").str(sigabbrev_np(sig)).str(" on thread '").str(threadName(name));
  if (gOptions.secondCrashKills) {
    line.str("' during the cleanup: let through (bug switch second-crash-kills)").writeTo(STDOUT_FILENO);
    resetAndRaise(sig);
    return;
  }
  line.str("' during the cleanup: held until the first is handled").writeTo(STDOUT_FILENO);
  for (;;) pause();
}

// The terminate hook: says which exception escaped, without allocating (the mangled type name is
// static data), then aborts into the guard.
[[noreturn]] void onTerminate() {
  gTerminate.store(true);
  char name[17] = {};
  const std::type_info* type = abi::__cxa_current_exception_type();
  SafeLine line;
  logPrefix(line, logName()).str("crashguard: std::terminate on thread '").str(threadName(name)).str("': ");
  if (type) {
    line.str("uncaught exception of type ").str(type->name());
  } else {
    line.str("no exception in flight");
  }
  if (gOptions.terminateExits) {
    // Bug switch terminate-exits: the hook many apps install, "log and exit": no signal, so no guard.
    line.str("; exiting 1 (bug switch terminate-exits)").writeTo(STDOUT_FILENO);
    _exit(1);
  }
  line.writeTo(STDOUT_FILENO);
  std::abort();
}

void onCrash(int sig, siginfo_t*, void*) {
  // Every crash signal is blocked while this runs (sa_mask): a fault inside the cleanup on this
  // thread kills the process at once instead of recursing.
  const long self = syscall(SYS_gettid);
  long none = 0;
  if (!gOwner.compare_exchange_strong(none, self)) {
    if (none == self) return resetAndRaise(sig);  // cannot happen while the mask holds; die, never loop
    return secondCrash(sig);
  }
  const int64_t t0 = monotonicMicros();
  char thread[17] = {};
  threadName(thread);

  uint32_t modules[kMaxTrackedObjects];
  int results[kMaxTrackedObjects];
  const size_t n = trackedObjects(modules, kMaxTrackedObjects);
  SafeLine line;
  logPrefix(line, logName()).str("crashguard: caught SIG").str(sigabbrev_np(sig)).str(" on thread '").str(thread);
  line.str("': destroying ").num(n).str(" tracked object(s)");
  if (sig == SIGABRT && gTerminate.load()) line.str(" (after std::terminate)");
  line.writeTo(STDOUT_FILENO);
  if (gOptions.allocates) {
    // Bug switch guard-allocates: the report built the comfortable way. A crash inside malloc or
    // free (a double free) holds the arena's lock, so this waits for it forever.
    std::string report;
    report.reserve(4096);
    report += "crashguard: report for thread ";
    report += thread;
    logPrefix(line, logName()).str(report.c_str()).writeTo(STDOUT_FILENO);
  }

  gWire->unloadModules(modules, n, results, 500);
  size_t destroyed = 0;
  const int guardian = gGuardianFd.load();
  for (size_t i = 0; i < n; ++i) {
    logPrefix(line, logName()).str("crashguard: module ").num(modules[i]);
    if (results[i] == kWireOk) {
      ++destroyed;
      line.str(" destroyed");
      if (guardian >= 0) {
        // So the guardian, which wakes when we are dead, does not destroy it a second time.
        SafeLine note;
        note.str("untrack ").num(modules[i]).writeTo(guardian);
      }
    } else {
      // "no such entity" here means this object was destroyed already but still tracked:
      // somebody destroyed before untracking, and an index can be reused by another app's object.
      line.str(" NOT destroyed: ").str(pulseErrorName(results[i])).str(" (error ").inum(results[i]).str(")");
    }
    line.writeTo(STDOUT_FILENO);
  }
  logPrefix(line, logName()).str("crashguard: destroyed ").num(destroyed).str(" of ").num(n).str(" in ");
  line.ms(monotonicMicros() - t0).str("; re-raising SIG").str(sigabbrev_np(sig)).writeTo(STDOUT_FILENO);

  void* frames[48];
  const int depth = backtrace(frames, 48);
  logPrefix(line, logName()).str("crashguard: backtrace (").inum(depth).str(" frames):").writeTo(STDOUT_FILENO);
  backtrace_symbols_fd(frames, depth, STDOUT_FILENO);
  resetAndRaise(sig);
}

}  // namespace

void configureCrashGuard(const CrashGuardOptions& options) { gOptions = options; }

void setCrashGuardGuardianFd(int fd) { gGuardianFd.store(fd); }

bool crashGuardRunning() { return gOwner.load() != 0; }

void installAltStackOnThisThread() {
  if (!gOptions.altStacks || tAltStack.map) return;
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t size = altStackSize();
  void* map = mmap(nullptr, size + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (map == MAP_FAILED) {
    logLine("crashguard: no alternate stack for this thread (mmap failed): a stack overflow here skips the guard");
    return;
  }
  mprotect(map, page, PROT_NONE);  // stacks grow down: the guard page is the lowest
  stack_t ss{};
  ss.ss_sp = static_cast<char*>(map) + page;
  ss.ss_size = size;
  if (sigaltstack(&ss, &tAltStack.previous) != 0) {
    munmap(map, size + page);
    logLine("crashguard: sigaltstack failed on this thread: a stack overflow here skips the guard");
    return;
  }
  tAltStack.map = static_cast<char*>(map);
  tAltStack.mapped = size + page;
}

void unblockCrashSignalsOnThisThread() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kCrashSignals) sigaddset(&set, sig);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  installAltStackOnThisThread();
}

void installCrashGuard(const PulseWire* wire) {
  gWire = wire;
  // backtrace() loads libgcc on first use, which allocates: do it now, not in the handler.
  void* warm[2];
  backtrace(warm, 2);
  std::set_terminate(&onTerminate);
  struct sigaction sa{};
  sa.sa_sigaction = &onCrash;
  // SA_ONSTACK: without it the handler runs on the overflowed stack and the process dies of a
  // second SIGSEGV with no line written, alternate stack or not.
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (int sig : kCrashSignals) sigaddset(&sa.sa_mask, sig);
  for (int sig : kCrashSignals) sigaction(sig, &sa, nullptr);
  const std::string stacks = gOptions.altStacks ? "alternate stacks of " + std::to_string(altStackSize() / 1024) + " KiB per thread"
                                                : "no alternate stacks (bug switch no-altstack)";
  logLine("crashguard: installed for SIGSEGV SIGABRT SIGBUS SIGTRAP SIGILL SIGFPE (" + std::to_string(kMaxTrackedObjects) +
          " slots, " + stacks + ")");
}

}  // namespace hilt
