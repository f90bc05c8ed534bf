// The crash guard (defence layer 3): on SIGSEGV, SIGABRT, SIGBUS, SIGTRAP, SIGILL or SIGFPE it
// destroys every tracked object through the PulseWire, writes a report and a backtrace to stdout,
// then resets the handler to default and re-raises so the process still dies of its signal (and
// dumps core where the system allows). It runs on an alternate signal stack (a stack overflow
// leaves no room on the thread's own), allocates nothing (the crash may hold the allocator's lock),
// and runs once: a second thread crashing meanwhile is held until the first signal kills the process.
#pragma once

#include <string>

namespace hilt {

class PulseWire;

// The seed bugs of the guard itself (bug switches no-altstack, guard-allocates, second-crash-kills,
// terminate-exits).
struct CrashGuardOptions {
  bool altStacks = true;          // an alternate signal stack on every thread that asks for one
  bool allocates = false;         // the handler builds its report in a std::string (malloc)
  bool secondCrashKills = false;  // a second thread's crash during the cleanup is let through
  bool terminateExits = false;    // the std::terminate hook exits 1 instead of aborting into the guard
};
// Before any thread starts: the threads' set-up reads it.
void configureCrashGuard(const CrashGuardOptions& options);
// Installs the handlers. `wire` must stay open for the life of the process.
void installCrashGuard(const PulseWire* wire);
// The guardian's command pipe: what the guard destroyed, it untracks there too.
void setCrashGuardGuardianFd(int fd);
// Gives the calling thread an alternate signal stack (once; freed at thread exit). Every thread
// that can crash calls it first thing: sigaltstack is per thread, and a thread without one that
// overflows its stack dies with no handler run.
void installAltStackOnThisThread();
// A fault on a thread that blocks the crash signals kills the process at once, skipping the
// guard. libpulse's mainloop thread blocks every signal, so the engine calls this on it; it also
// gives the thread its alternate stack.
void unblockCrashSignalsOnThisThread();
// True from the moment a crash handler starts its cleanup (for the crash-in-crash fault).
bool crashGuardRunning();

}  // namespace hilt
