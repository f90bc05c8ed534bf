// hilt-winproc's stop requests, the ways a Windows user ends a program that are not a kill:
//   ctrl-break PID      Ctrl+Break to PID's process group only (hilt's launcher starts every program
//                       as a group of its own, and sends it there on request); hilt is never in it
//   close-windows PID   WM_CLOSE posted to each visible top-level window of PID, as its close box does
// Answers are JSON lines; exit 3: PID has no console / no window, 1: a call failed.
#include <windows.h>

#include <cstdio>
#include <string>

namespace {

constexpr int kFailed = 1;
constexpr int kNone = 3;

int failed(const std::string& call, DWORD error, int code = kFailed) {
  std::fprintf(stderr, "hilt-winproc: %s failed: error %lu\n", call.c_str(), error);
  return code;
}

struct Closing {
  DWORD pid;
  int posted;
};

BOOL CALLBACK closeIfOf(HWND w, LPARAM arg) {
  auto* c = reinterpret_cast<Closing*>(arg);
  DWORD owner = 0;
  GetWindowThreadProcessId(w, &owner);
  // Top-level, visible and its own: an owned window (a dialog) closes with its owner.
  if (owner == c->pid && IsWindowVisible(w) && !GetWindow(w, GW_OWNER) && PostMessageA(w, WM_CLOSE, 0, 0)) ++c->posted;
  return TRUE;
}

}  // namespace

int ctrlBreak(DWORD pid) {
  // A program under hilt's launcher: the launcher, on its console, sends it (winrun_main.cpp).
  const std::string relay = "Local\\hilt-ctrl-break-" + std::to_string(pid);
  if (HANDLE ev = OpenEventA(EVENT_MODIFY_STATE, FALSE, relay.c_str())) {
    const BOOL set = SetEvent(ev);
    CloseHandle(ev);
    if (!set) return failed("SetEvent(" + relay + ")", GetLastError());
    std::printf("{\"pid\":%lu,\"sent\":\"CTRL_BREAK_EVENT\",\"by\":\"hilt-winrun\"}\n", pid);
    return 0;
  }
  FreeConsole();  // this helper's own console, if it had one: the event goes to the console we attach
  if (!AttachConsole(pid)) return failed("AttachConsole(" + std::to_string(pid) + ")", GetLastError(), kNone);
  SetConsoleCtrlHandler(nullptr, TRUE);  // the helper, now on that console, ignores what it sends
  const BOOL ok = GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, pid);
  const DWORD e = GetLastError();
  FreeConsole();
  if (!ok) return failed("GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, " + std::to_string(pid) + ")", e);
  std::printf("{\"pid\":%lu,\"sent\":\"CTRL_BREAK_EVENT\"}\n", pid);
  return 0;
}

int closeWindows(DWORD pid) {
  Closing c{pid, 0};
  EnumWindows(closeIfOf, reinterpret_cast<LPARAM>(&c));
  std::printf("{\"pid\":%lu,\"posted\":\"WM_CLOSE\",\"windows\":%d}\n", pid, c.posted);
  return c.posted ? 0 : kNone;
}
