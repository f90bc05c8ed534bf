// Ends this process when the process that started it ends: the Windows counterpart of Linux's
// PR_SET_PDEATHSIG, for hilt's own helpers and launcher. When hilt (node.exe) is killed, a pipe
// end another process inherited can keep a child's stdin open, and the reaper may not have read
// its last line yet (seen under load in the suite): the parent's handle ending is never missed.
// A process started from Unix by Wine has no Windows parent to open: then nothing is watched.
#include "parent_watch.h"

#include <tlhelp32.h>

namespace {

DWORD parentPid() {
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  if (snap == INVALID_HANDLE_VALUE) return 0;
  PROCESSENTRY32 e = {};
  e.dwSize = sizeof e;
  DWORD self = GetCurrentProcessId(), parent = 0;
  for (BOOL ok = Process32First(snap, &e); ok; ok = Process32Next(snap, &e))
    if (e.th32ProcessID == self) parent = e.th32ParentProcessID;
  CloseHandle(snap);
  return parent;
}

struct Watch {
  HANDLE parent;
  UINT code;
};

DWORD WINAPI waitThenExit(void* arg) {
  const Watch w = *static_cast<Watch*>(arg);
  delete static_cast<Watch*>(arg);
  WaitForSingleObject(w.parent, INFINITE);
  ExitProcess(w.code);  // a launcher's exit closes its job, which ends the program in it
}

}  // namespace

bool exitWithParent(UINT code) {
  const DWORD pid = parentPid();
  HANDLE parent = pid ? OpenProcess(SYNCHRONIZE, FALSE, pid) : nullptr;
  if (!parent) return false;
  HANDLE t = CreateThread(nullptr, 0, waitThenExit, new Watch{parent, code}, 0, nullptr);
  if (!t) return false;
  CloseHandle(t);
  return true;
}
