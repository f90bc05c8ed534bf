// hilt-guardian: started by the engine; holds the list of the engine's live server objects
// ("track N" / "untrack N" on stdin) and destroys whatever is still listed the moment stdin
// reaches EOF without a "bye": the engine died (SIGKILL included) and the kernel closed its
// end of the pipe. Status for the engine on fd 3: "ready" once connected to the server.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "log.h"
#include "pids.h"
#include "pulse_wire.h"
#include "signal_safe.h"

namespace {
constexpr int kStatusFd = 3;

void status(const std::string& s) {
  const std::string line = s + "\n";
  if (write(kStatusFd, line.data(), line.size()) < 0) {
    // The engine is gone already; the EOF on stdin will follow.
  }
}
}  // namespace

int main(int argc, char** argv) {
  hilt::setLogName("hilt-guardian");
  std::string server;
  int enginePid = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--server") == 0) server = argv[i + 1];
    if (std::strcmp(argv[i], "--engine-pid") == 0) enginePid = std::atoi(argv[i + 1]);
  }
  // Only the engine's death ends the guardian: a Ctrl-C to the process group must not.
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  hilt::PulseWire wire;
  std::string error;
  if (server.empty() || enginePid <= 0) {
    status("usage: hilt-guardian --engine-pid <pid> --server <socket path>");
    return 2;
  }
  if (!wire.open(server, "hilt-guardian", 2000, error)) {
    status("failed: " + error);
    return 1;
  }
  status("ready");

  std::set<uint32_t> live;
  bool goodbye = false;
  std::string pending;
  char buf[512];
  for (;;) {
    const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) break;  // EOF: the engine closed the pipe, by goodbye or by dying
    pending.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      const std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      if (line.rfind("track ", 0) == 0) live.insert(static_cast<uint32_t>(std::stoul(line.substr(6))));
      if (line.rfind("untrack ", 0) == 0) live.erase(static_cast<uint32_t>(std::stoul(line.substr(8))));
      if (line == "bye") goodbye = true;
    }
  }
  const int64_t t0 = hilt::monotonicMicros();
  if (goodbye && live.empty()) return 0;
  if (live.empty()) {
    hilt::logLine("engine pid " + std::to_string(enginePid) + " died with nothing tracked: nothing to destroy");
    return 0;
  }
  const std::string who = "engine pid " + std::to_string(enginePid);
  hilt::logLine(goodbye ? who + " said goodbye with " + std::to_string(live.size()) + " object(s) still tracked"
                        : who + " died (" + (hilt::processAlive(enginePid) ? "pipe closed, still exiting" : "gone") +
                              "): destroying " + std::to_string(live.size()) + " tracked object(s)");
  std::vector<uint32_t> modules(live.begin(), live.end());
  std::vector<int> results(modules.size());
  wire.unloadModules(modules.data(), modules.size(), results.data(), 2000);
  size_t destroyed = 0;
  for (size_t i = 0; i < modules.size(); ++i) {
    const bool ok = results[i] == hilt::kWireOk;
    destroyed += ok ? 1 : 0;
    hilt::logLine("module " + std::to_string(modules[i]) +
                  (ok ? " destroyed" : std::string(" NOT destroyed: ") + hilt::pulseErrorName(results[i])));
  }
  char took[32];
  std::snprintf(took, sizeof took, "%.1fms", static_cast<double>(hilt::monotonicMicros() - t0) / 1000.0);
  hilt::logLine("destroyed " + std::to_string(destroyed) + " of " + std::to_string(modules.size()) + " in " + took +
                " after the engine's death");
  return destroyed == modules.size() ? 0 : 1;
}
