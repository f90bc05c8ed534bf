// Output of the Windows engine: one flushed line at a time, stamped with ms since process start.
#pragma once
#include <string>

namespace hiltwin {

// Milliseconds since this process started (QueryPerformanceCounter, taken at static init).
double msSinceStart();

// "hilt-engine-win[PID] +12.3ms <message>": the program's own lines.
void logLine(const std::string& message);

// "hilt-addon[PID] +12.3ms engine#4 <event>": the lifecycle lines the harness parses
// (harness/target/reference/lifecycle.ts), the same format as the Node addon's.
void lifecycle(int engineId, const std::string& event);

// A bare line ("gc ready", "done cycles=..."), flushed.
void plainLine(const std::string& text);

// This process's threads, counted by CreateToolhelp32Snapshot (Wine's own threads included).
int threadCount();

}  // namespace hiltwin
