#include "clock_log.h"

#include <windows.h>
#include <tlhelp32.h>

#include <cstdio>

namespace hiltwin {

namespace {

LARGE_INTEGER counterNow() {
  LARGE_INTEGER t;
  QueryPerformanceCounter(&t);
  return t;
}

const LARGE_INTEGER kStart = counterNow();

// A critical section that is never destroyed: the render thread may print while main exits.
CRITICAL_SECTION* outputLock() {
  static CRITICAL_SECTION* const cs = [] {
    auto* c = new CRITICAL_SECTION;
    InitializeCriticalSection(c);
    return c;
  }();
  return cs;
}

// The harness reads stdout live through a pipe, where the CRT buffers fully: flush every line.
void writeLine(const std::string& line) {
  EnterCriticalSection(outputLock());
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  LeaveCriticalSection(outputLock());
}

std::string stamped(const char* name, const std::string& message) {
  char head[96];
  std::snprintf(head, sizeof head, "%s[%lu] +%.1fms ", name, static_cast<unsigned long>(GetCurrentProcessId()),
                msSinceStart());
  return head + message;
}

}  // namespace

double msSinceStart() {
  LARGE_INTEGER freq;
  QueryPerformanceFrequency(&freq);
  return static_cast<double>(counterNow().QuadPart - kStart.QuadPart) * 1000.0 / static_cast<double>(freq.QuadPart);
}

void logLine(const std::string& message) { writeLine(stamped("hilt-engine-win", message)); }

void lifecycle(int engineId, const std::string& event) {
  writeLine(stamped("hilt-addon", "engine#" + std::to_string(engineId) + " " + event));
}

void plainLine(const std::string& text) { writeLine(text); }

int threadCount() {
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
  if (snap == INVALID_HANDLE_VALUE) return -1;
  const DWORD self = GetCurrentProcessId();
  int n = 0;
  THREADENTRY32 te;
  te.dwSize = sizeof te;
  for (BOOL ok = Thread32First(snap, &te); ok; ok = Thread32Next(snap, &te)) {
    if (te.th32OwnerProcessID == self) ++n;
  }
  CloseHandle(snap);
  return n;
}

}  // namespace hiltwin
