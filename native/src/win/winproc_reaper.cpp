// hilt-winproc reaper HILT_PID: the Windows counterpart of harness/platform/reaper.sh. It says
// "ready" on stdout (hilt launches no target before), then reads what hilt made on stdin ("pid N",
// "unpid N", "dir PATH", "undir PATH"); when hilt ends, however, what is still listed is ended and
// removed. hilt's end is its pipe closing or its process ending, whichever is seen first: a pipe end
// another process inherited would keep the pipe open.
// A pid is held by an open handle from the moment it is listed, so a pid reused by an unrelated
// program after the tracked one ended is never the one killed.
#include <windows.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>

namespace {

// The code a reaped process ends with: STATUS_CONTROL_C_EXIT, as if its console had gone away.
constexpr UINT kReapedCode = 0xC000013A;

bool readLine(HANDLE in, std::string& line) {
  line.clear();
  char c = 0;
  DWORD n = 0;
  while (ReadFile(in, &c, 1, &n, nullptr) && n == 1) {
    if (c == '\n') return true;
    if (c != '\r') line += c;
  }
  return !line.empty();  // a last line without its newline still counts; then end of input
}

// What is listed, shared by the line reader and the watcher of hilt's process.
CRITICAL_SECTION lock;
std::map<DWORD, HANDLE> pids;
std::set<std::string> dirs;

void sweep() {
  EnterCriticalSection(&lock);
  for (auto& [pid, h] : pids) {
    if (WaitForSingleObject(h, 0) == WAIT_TIMEOUT) {
      TerminateProcess(h, kReapedCode);
      WaitForSingleObject(h, 2000);  // its files are closed before its folder goes
    }
    CloseHandle(h);
  }
  pids.clear();
  for (const auto& d : dirs) {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::u8path(d), ec);
  }
  dirs.clear();
  LeaveCriticalSection(&lock);
}

DWORD WINAPI watchHilt(void* process) {
  WaitForSingleObject(process, INFINITE);
  sweep();
  ExitProcess(0);  // the reader may still wait on a pipe nobody writes to
}

}  // namespace

int reaper(DWORD hiltPid) {
  InitializeCriticalSection(&lock);
  if (HANDLE hilt = hiltPid ? OpenProcess(SYNCHRONIZE, FALSE, hiltPid) : nullptr) {
    HANDLE t = CreateThread(nullptr, 0, watchHilt, hilt, 0, nullptr);
    if (t) CloseHandle(t);
  }
  HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
  // hilt waits for this line before it launches a target; nothing else is written to the pipe.
  std::fputs("ready\n", stdout);
  std::fflush(stdout);
  std::fclose(stdout);
  std::string line;
  while (readLine(in, line)) {
    const size_t space = line.find(' ');
    const std::string verb = line.substr(0, space);
    const std::string arg = space == std::string::npos ? "" : line.substr(space + 1);
    EnterCriticalSection(&lock);
    if (verb == "pid" || verb == "unpid") {
      const DWORD pid = std::strtoul(arg.c_str(), nullptr, 10);
      auto it = pids.find(pid);
      if (it != pids.end()) CloseHandle(it->second), pids.erase(it);
      if (verb == "pid") {
        HANDLE h = OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE, pid);
        if (h) pids[pid] = h;  // already gone: nothing to reap
      }
    } else if (verb == "dir") {
      dirs.insert(arg);
    } else if (verb == "undir") {
      dirs.erase(arg);
    }
    // cgroup and pulse-module lines are Linux's; on Windows a target's job dies with its launcher.
    LeaveCriticalSection(&lock);
  }
  sweep();
  return 0;
}
