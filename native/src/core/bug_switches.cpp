#include "bug_switches.h"

#include <cstdlib>
#include <sstream>

namespace hilt {

const std::vector<std::string>& knownBugSwitches() {
  static const std::vector<std::string> names = {"no-sweep"};
  return names;
}

bool BugSwitches::parse(const std::string& list, BugSwitches& out, std::string& error) {
  std::stringstream in(list);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (name.empty()) continue;
    if (name == "no-sweep") {
      out.noSweep = true;
    } else {
      error = "unknown bug switch '" + name + "' (known: no-sweep)";
      return false;
    }
  }
  return true;
}

bool BugSwitches::fromEnv(BugSwitches& out, std::string& error) {
  const char* v = std::getenv("HILT_ENGINE_BUG");
  return parse(v ? v : "", out, error);
}

std::string BugSwitches::describe() const { return noSweep ? "no-sweep" : "none"; }

}  // namespace hilt
