#include "log.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>

namespace hilt {

namespace {
const auto kStart = std::chrono::steady_clock::now();
std::mutex gLogMutex;
}  // namespace

void logLine(const std::string& message) {
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - kStart).count();
  std::lock_guard<std::mutex> lock(gLogMutex);
  std::fprintf(stdout, "hilt-engine[%d] +%.1fms %s\n", static_cast<int>(getpid()), ms, message.c_str());
  std::fflush(stdout);
}

}  // namespace hilt
