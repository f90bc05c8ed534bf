#include "log.h"

#include <unistd.h>

#include <cstdio>
#include <mutex>

#include "signal_safe.h"

namespace hilt {

namespace {
const int64_t kStart = monotonicMicros();
const char* gName = "hilt-engine";
std::mutex gLogMutex;
}  // namespace

void setLogName(const char* name) { gName = name; }
const char* logName() { return gName; }
int64_t logStartMicros() { return kStart; }

void logLine(const std::string& message) {
  const double ms = static_cast<double>(monotonicMicros() - kStart) / 1000.0;
  std::lock_guard<std::mutex> lock(gLogMutex);
  std::fprintf(stdout, "%s[%d] +%.1fms %s\n", gName, static_cast<int>(getpid()), ms, message.c_str());
  std::fflush(stdout);
}

}  // namespace hilt
