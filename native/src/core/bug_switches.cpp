#include "bug_switches.h"

#include <cstdlib>
#include <sstream>

namespace hilt {

namespace {
struct Switch {
  const char* name;
  bool BugSwitches::*flag;
};
const Switch kSwitches[] = {
    {"no-sweep", &BugSwitches::noSweep},
    {"no-crashguard", &BugSwitches::noCrashGuard},
    {"no-altstack", &BugSwitches::noAltStack},
    {"guard-allocates", &BugSwitches::guardAllocates},
    {"second-crash-kills", &BugSwitches::secondCrashKills},
    {"terminate-exits", &BugSwitches::terminateExits},
    {"no-signal-handlers", &BugSwitches::noSignalHandlers},
    {"no-guardian", &BugSwitches::noGuardian},
    {"guardian-in-group", &BugSwitches::guardianInGroup},
    {"ignore-guardian-death", &BugSwitches::ignoreGuardianDeath},
    {"destroy-before-untrack", &BugSwitches::destroyBeforeUntrack},
    {"gc-free-while-running", &BugSwitches::gcFreeWhileRunning},
    {"no-cleanup-hook", &BugSwitches::noCleanupHook},
    {"static-registry-after-exit", &BugSwitches::staticRegistryAfterExit},
    {"blocking-poll", &BugSwitches::blockingPoll},
    {"leak-on-stop", &BugSwitches::leakOnStop},
    {"init-on-callback-thread", &BugSwitches::initOnCallbackThread},
    {"fork-keeps-midi", &BugSwitches::forkKeepsMidi},
    {"retap-on-thaw", &BugSwitches::retapOnThaw},
    {"no-reconnect", &BugSwitches::noReconnect},
};
}  // namespace

const std::vector<std::string>& knownBugSwitches() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& s : kSwitches) v.emplace_back(s.name);
    return v;
  }();
  return names;
}

bool BugSwitches::parse(const std::string& list, BugSwitches& out, std::string& error) {
  std::stringstream in(list);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (name.empty()) continue;
    bool found = false;
    for (const auto& s : kSwitches) {
      if (name == s.name) {
        out.*(s.flag) = true;
        found = true;
      }
    }
    if (!found) {
      std::string known;
      for (const auto& s : kSwitches) known += (known.empty() ? "" : ", ") + std::string(s.name);
      error = "unknown bug switch '" + name + "' (known: " + known + ")";
      return false;
    }
  }
  return true;
}

bool BugSwitches::fromEnv(BugSwitches& out, std::string& error) {
  const char* v = std::getenv("HILT_ENGINE_BUG");
  return parse(v ? v : "", out, error);
}

std::string BugSwitches::describe() const {
  std::string out;
  for (const auto& s : kSwitches) {
    if (this->*(s.flag)) out += (out.empty() ? "" : ",") + std::string(s.name);
  }
  return out.empty() ? "none" : out;
}

}  // namespace hilt
