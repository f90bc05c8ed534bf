// Bug switches: HILT_ENGINE_BUG=a,b puts seed bugs back so hilt can prove its checks catch them.
#pragma once
#include <string>
#include <vector>

namespace hilt {

// Every switch the engine knows; hilt's CLI validates --bug against the same list.
const std::vector<std::string>& knownBugSwitches();

struct BugSwitches {
  bool noSweep = false;              // skip the start-up sweep of orphans left by dead engines
  bool noCrashGuard = false;         // no handlers for SIGSEGV/ABRT/BUS/TRAP/ILL/FPE
  bool noAltStack = false;           // the crash guard has no alternate signal stacks: a stack overflow kills before it runs
  bool guardAllocates = false;       // the crash guard builds a report in a std::string: a crash in malloc/free deadlocks it
  bool secondCrashKills = false;     // a second thread crashing while the guard cleans up kills the process mid-cleanup
  bool terminateExits = false;       // the std::terminate hook logs and exits 1: no signal, so the crash guard never runs
  bool noSignalHandlers = false;     // SIGTERM/SIGINT keep their default action (die, no cleanup)
  bool noGuardian = false;           // no helper process to clean up after an uncatchable death
  bool guardianInGroup = false;      // the guardian stays in the engine's session and process group: a group kill takes both
  bool ignoreGuardianDeath = false;  // a guardian that dies first goes unseen: the engine runs on without one, saying nothing
  bool destroyBeforeUntrack = false; // destroy a tap, then untrack it (the crash guard may destroy it twice)
  bool gcFreeWhileRunning = false;   // addon: the finalizer frees an engine without stopping its threads
  bool noCleanupHook = false;        // addon: engines alive at exit or worker end are not stopped first
  bool staticRegistryAfterExit = false; // addon: the live-engine registry is destroyed by exit() while used
  bool blockingPoll = false;         // kernel: channel threads poll(-1) with no wake-up; stop joins forever
  bool leakOnStop = false;           // kernel: stop detaches the channel threads and frees what they use
  // MIDI start-up runs inline on the thread that asked (the audio callback thread, a GUI callback),
  // with no timeout and no fallback
  bool initOnCallbackThread = false;
  bool retapOnThaw = false;          // after a stall (a freeze, SIGSTOP) the taps are made again, the old ones left
  bool forkKeepsMidi = false;        // a child forked without exec after MIDI is up inherits the server connection and outlives the engine
  bool noReconnect = false;          // when the audio server restarts the engine stays up, claiming to run, with no taps

  // Parses a comma list; returns false and names the bad switch in `error` for unknown ones.
  static bool parse(const std::string& list, BugSwitches& out, std::string& error);
  static bool fromEnv(BugSwitches& out, std::string& error);
  std::string describe() const;
};

}  // namespace hilt
