// Bug switches of the Windows engine: HILT_ENGINE_BUG=a,b puts a seed bug back (the first two in
// --gc mode, the others in the interactive mode; helper-outlives in both).
#pragma once
#include <string>

namespace hiltwin {

struct BugSwitches {
  bool freeWhileRunning = false;   // the finalizer frees an engine whose render thread still runs
  bool noShutdown = false;         // COM objects released before the client is stopped and the thread joined
  bool crashHandlerHangs = false;  // the unhandled-exception filter joins the render thread, even from it
  bool helperOutlives = false;     // a helper process broken away from the launcher's job outlives the engine
  bool noCtrlHandler = false;      // no console control handler: Ctrl+Break ends it with STATUS_CONTROL_C_EXIT
  // Not a switch: releasing the COM objects on another thread (no COM on it, after a proper stop
  // and join) showed nothing under Wine 8: exit 0, every engine in order, no stream or thread left.

  // Parses HILT_ENGINE_BUG; false (and the bad name in `error`) for an unknown switch.
  static bool fromEnv(BugSwitches& out, std::string& error);
  std::string describe() const;
};

}  // namespace hiltwin
