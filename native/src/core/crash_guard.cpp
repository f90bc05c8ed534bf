#include "crash_guard.h"

#include <execinfo.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>

#include "log.h"
#include "pulse_wire.h"
#include "signal_safe.h"
#include "tracked_objects.h"

namespace hilt {

namespace {

const int kCrashSignals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGTRAP, SIGILL, SIGFPE};
const PulseWire* gWire = nullptr;
std::atomic<int> gGuardianFd{-1};
std::atomic<bool> gHandling{false};

void onCrash(int sig, siginfo_t*, void*) {
  // Default first: a crash inside the cleanup must not recurse.
  struct sigaction dfl{};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  // A second thread crashing at the same moment just dies; the first one is cleaning up.
  if (gHandling.exchange(true)) {
    raise(sig);
    return;
  }
  const int64_t t0 = monotonicMicros();
  char thread[17] = {};
  prctl(PR_GET_NAME, reinterpret_cast<unsigned long>(thread), 0, 0, 0);

  uint32_t modules[kMaxTrackedObjects];
  int results[kMaxTrackedObjects];
  const size_t n = trackedObjects(modules, kMaxTrackedObjects);
  SafeLine line;
  logPrefix(line, logName()).str("crashguard: caught SIG").str(sigabbrev_np(sig)).str(" on thread '").str(thread);
  line.str("': destroying ").num(n).str(" tracked object(s)").writeTo(STDOUT_FILENO);

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
  raise(sig);  // delivered when the handler returns: the process dies of the original signal
}

}  // namespace

void setCrashGuardGuardianFd(int fd) { gGuardianFd.store(fd); }
bool crashGuardRunning() { return gHandling.load(); }

void unblockCrashSignalsOnThisThread() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kCrashSignals) sigaddset(&set, sig);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

void installCrashGuard(const PulseWire* wire) {
  gWire = wire;
  // backtrace() loads libgcc on first use, which allocates: do it now, not in the handler.
  void* warm[2];
  backtrace(warm, 2);
  struct sigaction sa{};
  sa.sa_sigaction = &onCrash;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  for (int sig : kCrashSignals) sigaction(sig, &sa, nullptr);
  logLine("crashguard: installed for SIGSEGV SIGABRT SIGBUS SIGTRAP SIGILL SIGFPE (" +
          std::to_string(kMaxTrackedObjects) + " slots)");
}

}  // namespace hilt
