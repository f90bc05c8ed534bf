// hilt-winrun --dump-dir DIR: a minidump of the program at its first fatal exception, written while
// the faulting thread is stopped at the fault, then the launcher stops debugging it so the exception
// runs its normal course. Staying attached would make Windows skip the program's own
// unhandled-exception filter (a debugger gets the second chance instead), hiding crash-handler bugs.
#include "winrun_dump.h"

#include <dbghelp.h>

#include <cstdio>
#include <string>

namespace {

// Exceptions that end a program unless it handles them itself; a C++ throw (0xE06D7363) and the
// debug-print ones are the program's ordinary business.
bool fatalKind(DWORD code) {
  switch (code) {
    case EXCEPTION_ACCESS_VIOLATION:
    case EXCEPTION_STACK_OVERFLOW:
    case EXCEPTION_ILLEGAL_INSTRUCTION:
    case EXCEPTION_PRIV_INSTRUCTION:
    case EXCEPTION_INT_DIVIDE_BY_ZERO:
    case EXCEPTION_IN_PAGE_ERROR:
    case EXCEPTION_BREAKPOINT:
    case 0xC0000374:  // STATUS_HEAP_CORRUPTION
    case 0xC0000409:  // STATUS_STACK_BUFFER_OVERRUN (__fastfail)
      return true;
    default:
      return false;
  }
}

std::string baseName(const std::string& path) {
  const size_t slash = path.find_last_of("\\/");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// <exe>.<pid>.dmp, the name Windows Error Reporting's LocalDumps gives, with the exception and the
// faulting thread's context taken from the launcher's own memory (ClientPointers FALSE).
void writeDump(const PROCESS_INFORMATION& pi, const DEBUG_EVENT& ev, const std::string& dir, const std::string& exe) {
  const EXCEPTION_RECORD& rec = ev.u.Exception.ExceptionRecord;
  const std::string path = dir + "\\" + baseName(exe) + "." + std::to_string(pi.dwProcessId) + ".dmp";
  // Said before the writing, so hilt knows the time from here to the next line is the dump's, not the program's.
  std::fprintf(stderr, "hilt-winrun: writing a dump of pid %lu (exception 0x%08lX)\n", pi.dwProcessId,
               static_cast<unsigned long>(rec.ExceptionCode));
  std::fflush(stderr);
  HANDLE file = CreateFileA(path.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) {
    std::fprintf(stderr, "hilt-winrun: cannot write the dump %s: error %lu\n", path.c_str(), GetLastError());
    return;
  }
  CONTEXT context = {};
  context.ContextFlags = CONTEXT_FULL;
  HANDLE thread = OpenThread(THREAD_GET_CONTEXT | THREAD_QUERY_INFORMATION, FALSE, ev.dwThreadId);
  const bool haveContext = thread && GetThreadContext(thread, &context);
  if (thread) CloseHandle(thread);
  EXCEPTION_RECORD copy = rec;
  EXCEPTION_POINTERS pointers = {&copy, &context};
  MINIDUMP_EXCEPTION_INFORMATION info = {ev.dwThreadId, &pointers, FALSE};
  const auto type = static_cast<MINIDUMP_TYPE>(MiniDumpWithThreadInfo | MiniDumpWithUnloadedModules);
  const ULONGLONG t0 = GetTickCount64();  // hilt takes the dump's time out of the program's time to die
  const BOOL ok = MiniDumpWriteDump(pi.hProcess, pi.dwProcessId, file, type, haveContext ? &info : nullptr, nullptr, nullptr);
  const DWORD err = ok ? 0 : GetLastError();
  CloseHandle(file);
  if (!ok) {
    DeleteFileA(path.c_str());
    std::fprintf(stderr, "hilt-winrun: MiniDumpWriteDump failed: error 0x%08lX\n", err);
    return;
  }
  // One line hilt reads: the file, the exception, its address and thread, how long the writing took.
  std::fprintf(stderr, "hilt-winrun: dump %s exception 0x%08lX at %p thread %lu in %llu ms\n", path.c_str(),
               static_cast<unsigned long>(rec.ExceptionCode), rec.ExceptionAddress, ev.dwThreadId, GetTickCount64() - t0);
  std::fflush(stderr);
}

void closeFileHandles(const DEBUG_EVENT& ev) {
  if (ev.dwDebugEventCode == CREATE_PROCESS_DEBUG_EVENT && ev.u.CreateProcessInfo.hFile) CloseHandle(ev.u.CreateProcessInfo.hFile);
  if (ev.dwDebugEventCode == LOAD_DLL_DEBUG_EVENT && ev.u.LoadDll.hFile) CloseHandle(ev.u.LoadDll.hFile);
}

}  // namespace

void debugUntilFatal(const PROCESS_INFORMATION& pi, const std::string& dir, const std::string& exe) {
  bool loaderBreakSeen = false;  // the loader's own breakpoint comes first, to every debugger
  DEBUG_EVENT ev = {};
  while (WaitForDebugEvent(&ev, INFINITE)) {
    closeFileHandles(ev);
    if (ev.dwDebugEventCode == EXIT_PROCESS_DEBUG_EVENT) {
      ContinueDebugEvent(ev.dwProcessId, ev.dwThreadId, DBG_CONTINUE);
      return;
    }
    DWORD how = DBG_CONTINUE;
    if (ev.dwDebugEventCode == EXCEPTION_DEBUG_EVENT) {
      const DWORD code = ev.u.Exception.ExceptionRecord.ExceptionCode;
      if (code == EXCEPTION_BREAKPOINT && !loaderBreakSeen) {
        loaderBreakSeen = true;
      } else if (fatalKind(code)) {
        writeDump(pi, ev, dir, exe);
        // Detached with the exception pending: it is dispatched as if no debugger had been there.
        DebugSetProcessKillOnExit(FALSE);
        if (DebugActiveProcessStop(pi.dwProcessId)) return;
        std::fprintf(stderr, "hilt-winrun: could not stop debugging: error %lu\n", GetLastError());
        how = DBG_EXCEPTION_NOT_HANDLED;
      } else {
        how = DBG_EXCEPTION_NOT_HANDLED;  // the program's own to handle
      }
    }
    ContinueDebugEvent(ev.dwProcessId, ev.dwThreadId, how);
  }
}
