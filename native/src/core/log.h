// One log line on stdout: "hilt-engine[pid] +12.3ms message". hilt waits on these lines.
#pragma once
#include <cstdint>
#include <string>

namespace hilt {
void logLine(const std::string& message);
// The name in front of every line ("hilt-engine", "hilt-guardian").
void setLogName(const char* name);
const char* logName();
// Monotonic microseconds at process start, the zero of every "+Xms".
int64_t logStartMicros();
}
