// The launcher's crash dump (hilt-winrun --dump-dir): see winrun_dump.cpp.
#pragma once
#include <windows.h>

#include <string>

// Debugs the program (started with DEBUG_ONLY_THIS_PROCESS) until it exits or meets its first fatal
// exception: then writes DIR\<exe>.<pid>.dmp, says so on stderr, and stops debugging it.
void debugUntilFatal(const PROCESS_INFORMATION& pi, const std::string& dir, const std::string& exe);
