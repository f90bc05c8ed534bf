#include "bug_switches.h"

#include <cstdlib>
#include <sstream>

namespace hiltwin {

bool BugSwitches::fromEnv(BugSwitches& out, std::string& error) {
  const char* env = std::getenv("HILT_ENGINE_BUG");
  std::stringstream list(env ? env : "");
  std::string name;
  while (std::getline(list, name, ',')) {
    if (name.empty()) continue;
    if (name == "free-while-running") out.freeWhileRunning = true;
    else if (name == "no-shutdown") out.noShutdown = true;
    else if (name == "crash-handler-hangs") out.crashHandlerHangs = true;
    else if (name == "helper-outlives") out.helperOutlives = true;
    else if (name == "no-ctrl-handler") out.noCtrlHandler = true;
    else {
      error = "unknown bug switch '" + name +
              "' (known: free-while-running, no-shutdown, crash-handler-hangs, helper-outlives, no-ctrl-handler)";
      return false;
    }
  }
  return true;
}

std::string BugSwitches::describe() const {
  std::string s;
  if (freeWhileRunning) s += "free-while-running,";
  if (noShutdown) s += "no-shutdown,";
  if (crashHandlerHangs) s += "crash-handler-hangs,";
  if (helperOutlives) s += "helper-outlives,";
  if (noCtrlHandler) s += "no-ctrl-handler,";
  if (s.empty()) return "none";
  s.pop_back();
  return s;
}

}  // namespace hiltwin
