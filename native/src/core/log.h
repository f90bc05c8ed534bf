// Engine log lines: "hilt-engine[pid] +12.3ms message", one per line, flushed at once so a
// harness reading the pipe sees each event as it happens (and the tail survives a SIGKILL).
#pragma once
#include <string>

namespace hilt {
void logLine(const std::string& message);
}
