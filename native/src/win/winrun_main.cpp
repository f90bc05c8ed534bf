// hilt-winrun: runs a Windows program under the same Wine and reports its exact exit code.
//
//   hilt-winrun [--job NAME] [--dump-dir DIR] <program.exe> [args...]
//
// --dump-dir DIR: a minidump of the program at its first fatal exception (winrun_dump.cpp).
// --job NAME names the job (e.g. Local\\hilt-<pid>-<n>), so hilt-winproc can list its members and end
// them all (job-pids, job-kill) while the launcher holds it; without it the job has no name.
//
// The Linux exit status of a Wine process keeps only the low byte of an NTSTATUS (0xC0000005
// reads as 5), so this prints the whole code ("hilt-winrun: exit 0xC0000005") on stderr and exits
// with it. The child shares the launcher's stdin/stdout/stderr and dies with the launcher (a job).
#include <windows.h>

#include "winrun_dump.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace {

// The launcher's own failure: the program never ran (the code Windows gives a program whose DLLs
// cannot be found, so it reads as "did not start" rather than as any crash).
constexpr DWORD kCannotStart = 0xC0000135;

// One argument, quoted the way CommandLineToArgvW and the CRT read it back.
std::string quoteArg(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" \t\"") == std::string::npos) return arg;
  std::string out = "\"";
  size_t backslashes = 0;
  for (char c : arg) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    // Backslashes before a quote are doubled, and the quote escaped; elsewhere they are literal.
    out.append(c == '"' ? backslashes * 2 + 1 : backslashes, '\\');
    backslashes = 0;
    out += c;
  }
  out.append(backslashes * 2, '\\');
  return out + "\"";
}

std::string lastErrorText(DWORD code) {
  char* text = nullptr;
  const DWORD n = FormatMessageA(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                                 nullptr, code, 0, reinterpret_cast<char*>(&text), 0, nullptr);
  std::string s = n ? std::string(text, n) : "error " + std::to_string(code);
  if (text) LocalFree(text);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s + " (" + std::to_string(code) + ")";
}

// Closing the job's last handle kills what is in it: when the launcher dies in any way (the
// harness SIGKILLs it), the system closes the handle and the program goes too. Breakaway is
// allowed so a program can start a process that outlives it on purpose (the engine's bug switch
// helper-outlives, a class of bug hilt must see); a child that does not ask still joins the job.
HANDLE makeKillOnCloseJob(const char* name) {
  HANDLE job = CreateJobObjectA(nullptr, name);
  if (!job) return nullptr;
  // A name already taken would put this program in somebody else's job: refused.
  if (name && GetLastError() == ERROR_ALREADY_EXISTS) {
    CloseHandle(job);
    SetLastError(ERROR_ALREADY_EXISTS);
    return nullptr;
  }
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = {};
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_BREAKAWAY_OK;
  if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits)) {
    CloseHandle(job);
    return nullptr;
  }
  return job;
}

// The launcher's std handles, made inheritable so the child writes straight into the same pipes.
HANDLE inheritable(DWORD which) {
  HANDLE h = GetStdHandle(which);
  if (h && h != INVALID_HANDLE_VALUE) SetHandleInformation(h, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  return h;
}

// What the program left running in its job when it ended (helpers it started and did not stop): said
// before the job's close ends them, so a leftover is seen, not silently killed.
void reportLeftInJob(HANDLE job) {
  if (!job) return;
  std::vector<unsigned char> buf(sizeof(JOBOBJECT_BASIC_PROCESS_ID_LIST) + 1024 * sizeof(ULONG_PTR));
  auto* list = reinterpret_cast<JOBOBJECT_BASIC_PROCESS_ID_LIST*>(buf.data());
  if (!QueryInformationJobObject(job, JobObjectBasicProcessIdList, list, static_cast<DWORD>(buf.size()), nullptr)) return;
  std::string pids;
  for (DWORD i = 0; i < list->NumberOfProcessIdsInList; ++i) pids += (i ? "," : "") + std::to_string(list->ProcessIdList[i]);
  if (!pids.empty()) std::fprintf(stderr, "hilt-winrun: left in the job, ended with it: pids %s\n", pids.c_str());
}

// Ctrl+Break on hilt's request: hilt-winproc ctrl-break PID sets the event named for the program's
// pid, and the launcher, on the program's own console, sends it to the program's group. Its failure
// is one line hilt reads (Wine 8 answers ERROR_INVALID_HANDLE however it is sent: docs/windows.md).
DWORD WINAPI relayCtrlBreak(void* arg) {
  const DWORD pid = static_cast<DWORD>(reinterpret_cast<uintptr_t>(arg));
  const std::string name = "Local\\hilt-ctrl-break-" + std::to_string(pid);
  HANDLE ev = CreateEventA(nullptr, FALSE, FALSE, name.c_str());
  if (!ev) return 1;
  SetConsoleCtrlHandler(nullptr, TRUE);  // the launcher itself ignores Ctrl+C and Ctrl+Break
  for (;;) {
    WaitForSingleObject(ev, INFINITE);
    if (!GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, pid))
      std::fprintf(stderr, "hilt-winrun: Ctrl+Break to %lu failed: %s\n", pid, lastErrorText(GetLastError()).c_str());
  }
}

void startCtrlBreakRelay(DWORD pid) {
  HANDLE t = CreateThread(nullptr, 0, relayCtrlBreak, reinterpret_cast<void*>(static_cast<uintptr_t>(pid)), 0, nullptr);
  if (t) CloseHandle(t);
}

}  // namespace

int main(int argc, char** argv) {
  const char* jobName = nullptr;
  const char* dumpDir = nullptr;
  int first = 1;  // argv index of the program
  for (; first + 1 < argc; first += 2) {
    const std::string option = argv[first];
    if (option == "--job") jobName = argv[first + 1];
    else if (option == "--dump-dir") dumpDir = argv[first + 1];
    else break;
  }
  if (argc <= first || std::string(argv[first]).rfind("--", 0) == 0) {
    std::fprintf(stderr, "usage: hilt-winrun [--job NAME] [--dump-dir DIR] <program.exe> [args...]\n");
    return 2;
  }
  // No "program stopped working" box and no critical-error box: a crash is an exit code.
  SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);

  std::string cmdline = quoteArg(argv[first]);
  for (int i = first + 1; i < argc; ++i) cmdline += " " + quoteArg(argv[i]);

  STARTUPINFOA si = {};
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = inheritable(STD_INPUT_HANDLE);
  si.hStdOutput = inheritable(STD_OUTPUT_HANDLE);
  si.hStdError = inheritable(STD_ERROR_HANDLE);
  PROCESS_INFORMATION pi = {};
  HANDLE job = makeKillOnCloseJob(jobName);
  const DWORD jobError = job ? 0 : GetLastError();
  // A named job is what hilt contains the target with: without it the target must not run at all.
  if (jobName && !job) {
    std::fprintf(stderr, "hilt-winrun: cannot make the job %s: %s\n", jobName, lastErrorText(jobError).c_str());
    std::fflush(stderr);
    return static_cast<int>(kCannotStart);
  }
  // Suspended until it is in the job, so not even its first instruction runs outside it.
  // A process group of its own, so hilt's Ctrl+Break (hilt-winproc ctrl-break) reaches it and what it
  // starts, never hilt or the launcher; Windows then ignores Ctrl+C in it unless it asks for it. Not
  // under Wine: there Ctrl+Break cannot travel anyway (docs/windows.md), and Wine makes the group a
  // Unix session of its own, which changes how its helpers look from Linux (a session of their own).
  const bool wine = GetProcAddress(GetModuleHandleA("ntdll.dll"), "wine_get_version") != nullptr;
  const DWORD flags = CREATE_SUSPENDED | (wine ? 0 : CREATE_NEW_PROCESS_GROUP) | (dumpDir ? DEBUG_ONLY_THIS_PROCESS : 0);
  if (!CreateProcessA(nullptr, &cmdline[0], nullptr, nullptr, TRUE, flags, nullptr, nullptr, &si, &pi)) {
    std::fprintf(stderr, "hilt-winrun: cannot start %s: %s\n", argv[first], lastErrorText(GetLastError()).c_str());
    std::fflush(stderr);
    return static_cast<int>(kCannotStart);
  }
  if (!job || !AssignProcessToJobObject(job, pi.hProcess)) {
    std::fprintf(stderr, "hilt-winrun: warning: no kill-on-close job (%s); the program may outlive the launcher\n",
                 lastErrorText(job ? GetLastError() : jobError).c_str());
  }
  startCtrlBreakRelay(pi.dwProcessId);
  ResumeThread(pi.hThread);
  CloseHandle(pi.hThread);

  if (dumpDir) debugUntilFatal(pi, dumpDir, argv[first]);
  WaitForSingleObject(pi.hProcess, INFINITE);
  reportLeftInJob(job);
  DWORD code = 0;
  GetExitCodeProcess(pi.hProcess, &code);
  CloseHandle(pi.hProcess);
  std::fprintf(stderr, "hilt-winrun: exit 0x%08lX\n", static_cast<unsigned long>(code));
  std::fflush(stderr);
  if (job) CloseHandle(job);
  // ExitProcess, not return: main's int would do, but this says the whole 32-bit code is meant.
  ExitProcess(code);
}
