// The crash guard (defence layer 3): on SIGSEGV, SIGABRT, SIGBUS, SIGTRAP, SIGILL or SIGFPE it
// resets the handler to default, destroys every tracked object through the PulseWire, writes a
// report and a backtrace to stdout, and re-raises so the process still dies of its signal (and
// dumps core where the system allows).
#pragma once

#include <string>

namespace hilt {

class PulseWire;

// Installs the handlers. `wire` must stay open for the life of the process.
void installCrashGuard(const PulseWire* wire);
// The guardian's command pipe: what the guard destroyed, it untracks there too.
void setCrashGuardGuardianFd(int fd);
// True once a crash guard has begun (it may still write to the guardian pipe it loaded then).
bool crashGuardRunning();
// A fault on a thread that blocks the crash signals kills the process at once, skipping the
// guard. libpulse's mainloop thread blocks every signal, so the engine calls this on it.
void unblockCrashSignalsOnThisThread();

}  // namespace hilt
