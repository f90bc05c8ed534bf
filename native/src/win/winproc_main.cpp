// hilt-winproc: the process facts hilt's win32 platform module asks of Windows, and its job objects.
//
//   hilt-winproc processes                every process: pid, ppid, exe, threads, creation time, exit state
//   hilt-winproc process PID              one process: state, exit code, thread ids, handles, session, command line
//   hilt-winproc env-match NAME=VALUE     every process whose environment holds NAME=VALUE (its PEB's block)
//   hilt-winproc job-pids NAME            the pids in the named job (JobObjectBasicProcessIdList)
//   hilt-winproc job-kill NAME CODE       TerminateJobObject: every process in the job ends with CODE
//   hilt-winproc kill PID CODE            TerminateProcess
//   hilt-winproc dump PID FILE            MiniDumpWriteDump of a live process (its threads' stacks, for evidence)
//   hilt-winproc ctrl-break PID           Ctrl+Break to its console, its process group only (winproc_stop.cpp)
//   hilt-winproc close-windows PID        WM_CLOSE to each of its top-level windows (winproc_stop.cpp)
//   hilt-winproc reaper HILT_PID          reaper.sh's lines on stdin; cleans when hilt ends (winproc_reaper.cpp)
//
// Answers are JSON lines on stdout; a failure is one line on stderr naming the call and GetLastError.
// Exit codes: 0 answered, 1 a call failed, 2 usage, 3 no such process or job, 4 access denied.
#include <windows.h>
// After windows.h: these headers use its types.
#include <dbghelp.h>
#include <tlhelp32.h>
#include <winternl.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;
constexpr int kNotFound = 3;
constexpr int kDenied = 4;

// The exit code that says why a call failed: "not found" and "denied" are answers a caller acts on.
int exitFor(DWORD error) {
  if (error == ERROR_INVALID_PARAMETER || error == ERROR_FILE_NOT_FOUND || error == ERROR_NOT_FOUND) return kNotFound;
  if (error == ERROR_ACCESS_DENIED) return kDenied;
  return kFailed;
}

std::string errorText(DWORD code) {
  char* text = nullptr;
  const DWORD n = FormatMessageA(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                                 nullptr, code, 0, reinterpret_cast<char*>(&text), 0, nullptr);
  std::string s = n ? std::string(text, n) : "";
  if (text) LocalFree(text);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '.')) s.pop_back();
  return "error " + std::to_string(code) + (s.empty() ? "" : " (" + s + ")");
}

// One line on stderr naming the call and its error; the exit code says which kind of failure.
int fail(const std::string& call, DWORD error) {
  std::fprintf(stderr, "hilt-winproc: %s failed: %s\n", call.c_str(), errorText(error).c_str());
  return exitFor(error);
}

std::string json(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else out += static_cast<char>(c);
  }
  return out + "\"";
}

// UTF-16 from the OS to UTF-8 for JSON.
std::string utf8(const wchar_t* w, int len) {
  if (len == 0) return "";
  const int n = WideCharToMultiByte(CP_UTF8, 0, w, len, nullptr, 0, nullptr, nullptr);
  std::string s(static_cast<size_t>(n), '\0');
  WideCharToMultiByte(CP_UTF8, 0, w, len, &s[0], n, nullptr, nullptr);
  return s;
}

// A process's creation time in microseconds since 1970: with the pid it names one process, as a
// pid alone does not (Windows reuses pids at once). Exact in a double (below 2^53).
long long createdUs(HANDLE h) {
  FILETIME created, exited, kernel, user;
  if (!GetProcessTimes(h, &created, &exited, &kernel, &user)) return -1;
  const unsigned long long t = (static_cast<unsigned long long>(created.dwHighDateTime) << 32) | created.dwLowDateTime;
  return static_cast<long long>((t - 116444736000000000ULL) / 10);
}

struct Proc {
  DWORD pid;
  DWORD ppid;
  std::string exe;
  DWORD threads;
};

bool snapshotProcesses(std::vector<Proc>& out) {
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  if (snap == INVALID_HANDLE_VALUE) return false;
  PROCESSENTRY32W e = {};
  e.dwSize = sizeof e;
  for (BOOL more = Process32FirstW(snap, &e); more; more = Process32NextW(snap, &e)) {
    out.push_back({e.th32ProcessID, e.th32ParentProcessID, utf8(e.szExeFile, static_cast<int>(wcslen(e.szExeFile))), e.cntThreads});
  }
  CloseHandle(snap);
  return true;
}

// Creation time and exit state where OpenProcess allows (limited information: the least it needs).
std::string timesAndState(DWORD pid) {
  HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE, pid);
  const bool canWait = h != nullptr;
  if (!h) h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
  if (!h) return ",\"open\":" + json(errorText(GetLastError()));
  DWORD code = 0;
  const bool known = GetExitCodeProcess(h, &code);
  std::string s = ",\"createdUs\":" + std::to_string(createdUs(h));
  // STILL_ACTIVE (259) is also a code a program may exit with: a wait (SYNCHRONIZE) tells them apart.
  if (known) {
    const bool alive = code == STILL_ACTIVE && (!canWait || WaitForSingleObject(h, 0) == WAIT_TIMEOUT);
    s += std::string(",\"state\":") + (alive ? "\"alive\"" : "\"exited\"");
    if (!alive) s += ",\"exitCode\":" + std::to_string(code);
  }
  CloseHandle(h);
  return s;
}

int processes() {
  std::vector<Proc> all;
  if (!snapshotProcesses(all)) return fail("CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS)", GetLastError());
  for (const Proc& p : all) {
    std::printf("{\"pid\":%lu,\"ppid\":%lu,\"name\":%s,\"threads\":%lu%s}\n", p.pid, p.ppid, json(p.exe).c_str(), p.threads,
                timesAndState(p.pid).c_str());
  }
  return kOk;
}

std::vector<DWORD> threadIds(DWORD pid) {
  std::vector<DWORD> out;
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
  if (snap == INVALID_HANDLE_VALUE) return out;
  THREADENTRY32 t = {};
  t.dwSize = sizeof t;
  for (BOOL more = Thread32First(snap, &t); more; more = Thread32Next(snap, &t)) {
    if (t.th32OwnerProcessID == pid) out.push_back(t.th32ThreadID);
  }
  CloseHandle(snap);
  return out;
}

// ntdll's NtQueryInformationProcess, found at run time (winternl.h declares it, no import library has it).
using NtQueryFn = NTSTATUS(NTAPI*)(HANDLE, PROCESSINFOCLASS, PVOID, ULONG, PULONG);
NtQueryFn ntQuery() {
  static const auto fn = reinterpret_cast<NtQueryFn>(
      reinterpret_cast<void*>(GetProcAddress(GetModuleHandleA("ntdll.dll"), "NtQueryInformationProcess")));
  return fn;
}

// A 64-bit process's RTL_USER_PROCESS_PARAMETERS address (PEB+0x20: winternl.h hides the field).
bool processParameters(HANDLE h, uintptr_t& params) {
  NtQueryFn q = ntQuery();
  PROCESS_BASIC_INFORMATION pbi = {};
  if (!q || q(h, ProcessBasicInformation, &pbi, sizeof pbi, nullptr) != 0 || !pbi.PebBaseAddress) return false;
  SIZE_T got = 0;
  const auto at = reinterpret_cast<uintptr_t>(pbi.PebBaseAddress) + 0x20;
  return ReadProcessMemory(h, reinterpret_cast<void*>(at), &params, sizeof params, &got) && got == sizeof params && params;
}

// The command line from the process's own parameters (CommandLine, a UNICODE_STRING at +0x70).
bool commandLineFromPeb(HANDLE h, std::string& out) {
  uintptr_t params = 0;
  if (!processParameters(h, params)) return false;
  struct {
    USHORT length;
    USHORT maximum;
    ULONG pad;
    uintptr_t buffer;
  } us = {};
  SIZE_T got = 0;
  if (!ReadProcessMemory(h, reinterpret_cast<void*>(params + 0x70), &us, sizeof us, &got) || got != sizeof us || !us.buffer) {
    return false;
  }
  std::vector<wchar_t> text(us.length / 2 + 1);
  if (!ReadProcessMemory(h, reinterpret_cast<void*>(us.buffer), text.data(), us.length, &got) || got != us.length) return false;
  out = utf8(text.data(), us.length / 2);
  return true;
}

// The command line as the process was started with it: ProcessCommandLineInformation (Windows 8.1+),
// else its PEB's parameters (Wine 8 answers the first with STATUS_INVALID_INFO_CLASS), or why not.
bool commandLine(HANDLE h, std::string& out) {
  constexpr auto kCommandLineInformation = static_cast<PROCESSINFOCLASS>(60);
  NtQueryFn q = ntQuery();
  if (!q) return out = "NtQueryInformationProcess not found in ntdll", false;
  std::vector<unsigned char> buf(64 * 1024);
  ULONG len = 0;
  const NTSTATUS st = q(h, kCommandLineInformation, buf.data(), static_cast<ULONG>(buf.size()), &len);
  if (st == 0) {
    const auto* us = reinterpret_cast<const UNICODE_STRING*>(buf.data());
    out = utf8(us->Buffer, us->Length / 2);
    return true;
  }
  if (commandLineFromPeb(h, out)) return true;
  char why[160];
  std::snprintf(why, sizeof why,
                "NtQueryInformationProcess(ProcessCommandLineInformation) gave 0x%08lX and the PEB's CommandLine was unreadable",
                static_cast<unsigned long>(st));
  return out = why, false;
}

bool environmentOf(HANDLE h, std::vector<std::string>& out);

// A thread's name (SetThreadDescription, Windows 10 1607+), found at run time; "" when it has none.
std::string threadName(DWORD tid) {
  using DescribeFn = HRESULT(WINAPI*)(HANDLE, PWSTR*);
  static const auto describe = reinterpret_cast<DescribeFn>(
      reinterpret_cast<void*>(GetProcAddress(GetModuleHandleA("kernel32.dll"), "GetThreadDescription")));
  HANDLE t = describe ? OpenThread(THREAD_QUERY_LIMITED_INFORMATION, FALSE, tid) : nullptr;
  if (!t) return "";
  PWSTR text = nullptr;
  std::string name;
  if (SUCCEEDED(describe(t, &text)) && text) name = utf8(text, static_cast<int>(wcslen(text)));
  if (text) LocalFree(text);
  CloseHandle(t);
  return name;
}

int process(DWORD pid) {
  std::vector<Proc> all;
  if (!snapshotProcesses(all)) return fail("CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS)", GetLastError());
  const Proc* found = nullptr;
  for (const Proc& p : all) found = p.pid == pid ? &p : found;
  HANDLE h = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, pid);
  if (!h) h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);  // another user's: less, not nothing
  const DWORD openError = h ? 0 : GetLastError();
  // Neither listed nor openable: no such process. Listed but not openable: what the snapshot says.
  if (!found && !h) return fail("OpenProcess(" + std::to_string(pid) + ")", openError);
  std::string s = "{\"pid\":" + std::to_string(pid);
  if (found) s += ",\"ppid\":" + std::to_string(found->ppid) + ",\"name\":" + json(found->exe);
  if (!h) {
    std::printf("%s,\"open\":%s}\n", s.c_str(), json(errorText(openError)).c_str());
    return kOk;
  }
  s += timesAndState(pid);
  std::string tids, names;
  for (DWORD t : threadIds(pid)) {
    tids += (tids.empty() ? "" : ",") + std::to_string(t);
    names += (names.empty() ? "" : ",") + json(threadName(t));
  }
  s += ",\"threadIds\":[" + tids + "],\"threadNames\":[" + names + "]";
  DWORD handles = 0;
  // A live process always holds some handles: 0 is an OS that does not count them (Wine 8), not a count.
  if (!GetProcessHandleCount(h, &handles)) s += ",\"handlesUnavailable\":" + json("GetProcessHandleCount: " + errorText(GetLastError()));
  else if (handles == 0) s += ",\"handlesUnavailable\":\"GetProcessHandleCount gave 0 (this OS does not count handles)\"";
  else s += ",\"handles\":" + std::to_string(handles);
  DWORD session = 0;
  if (ProcessIdToSessionId(pid, &session)) s += ",\"session\":" + std::to_string(session);
  std::string cmd;
  s += commandLine(h, cmd) ? ",\"cmdline\":" + json(cmd) : ",\"cmdlineUnavailable\":" + json(cmd);
  // Its environment (hilt's marker, or its absence: a helper started with a cleared one), when readable.
  std::vector<std::string> env;
  if (environmentOf(h, env)) {
    std::string list;
    for (const std::string& e : env) list += (list.empty() ? "" : ",") + json(e);
    s += ",\"env\":[" + list + "]";
  }
  CloseHandle(h);
  std::printf("%s}\n", s.c_str());
  return kOk;
}

// Another process's environment block: its parameters' Environment (+0x80, a 64-bit layout winternl.h
// hides), read a page at a time until the empty entry (EnvironmentSize is not trusted: Wine may leave it 0).
bool environmentOf(HANDLE h, std::vector<std::string>& out) {
  uintptr_t params = 0, env = 0;
  SIZE_T got = 0;
  if (!processParameters(h, params)) return false;
  if (!ReadProcessMemory(h, reinterpret_cast<void*>(params + 0x80), &env, sizeof env, &got) || got != sizeof env || !env) return false;
  std::wstring block;
  constexpr size_t kChunk = 4096;
  constexpr size_t kMax = 1 << 20;  // an environment is at most 32767 characters per variable; 1 MiB is plenty
  while (block.size() * 2 < kMax) {
    // Up to the end of the page only: the next page may not be mapped.
    const uintptr_t at = env + block.size() * 2;
    const size_t n = kChunk - (at % kChunk);
    std::vector<wchar_t> chunk(n / 2);
    if (!ReadProcessMemory(h, reinterpret_cast<void*>(at), chunk.data(), n, &got) || got < 2) break;
    block.append(chunk.data(), got / 2);
    if (block.find(std::wstring(L"\0\0", 2)) != std::wstring::npos) break;
  }
  for (size_t i = 0; i < block.size();) {
    const size_t end = block.find(L'\0', i);
    if (end == i || end == std::wstring::npos) break;
    out.push_back(utf8(block.data() + i, static_cast<int>(end - i)));
    i = end + 1;
  }
  return true;
}

int envMatch(const std::string& entry) {
  std::vector<Proc> all;
  if (!snapshotProcesses(all)) return fail("CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS)", GetLastError());
  for (const Proc& p : all) {
    HANDLE h = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, p.pid);
    if (!h) continue;  // another user's or a protected process: unreadable, skipped (as Linux skips them)
    std::vector<std::string> env;
    if (environmentOf(h, env)) {
      for (const std::string& e : env) {
        if (e != entry) continue;
        std::printf("{\"pid\":%lu,\"ppid\":%lu,\"name\":%s,\"threads\":%lu%s}\n", p.pid, p.ppid, json(p.exe).c_str(), p.threads,
                    timesAndState(p.pid).c_str());
        break;
      }
    }
    CloseHandle(h);
  }
  return kOk;
}

int jobPids(const std::string& name) {
  HANDLE job = OpenJobObjectA(JOB_OBJECT_QUERY, FALSE, name.c_str());
  if (!job) return fail("OpenJobObject(" + name + ")", GetLastError());
  // Room for 4096 pids: the list says how many there are when it is short.
  std::vector<unsigned char> buf(sizeof(JOBOBJECT_BASIC_PROCESS_ID_LIST) + 4096 * sizeof(ULONG_PTR));
  auto* list = reinterpret_cast<JOBOBJECT_BASIC_PROCESS_ID_LIST*>(buf.data());
  if (!QueryInformationJobObject(job, JobObjectBasicProcessIdList, list, static_cast<DWORD>(buf.size()), nullptr)) {
    const DWORD e = GetLastError();
    CloseHandle(job);
    return fail("QueryInformationJobObject(" + name + ", JobObjectBasicProcessIdList)", e);
  }
  std::string pids;
  for (DWORD i = 0; i < list->NumberOfProcessIdsInList; ++i) {
    pids += (i ? "," : "") + std::to_string(list->ProcessIdList[i]);
  }
  // The accounting says how many ever ran and ended in it: a member that ended is not a pid any more.
  JOBOBJECT_BASIC_ACCOUNTING_INFORMATION acct = {};
  std::string counts;
  if (QueryInformationJobObject(job, JobObjectBasicAccountingInformation, &acct, sizeof acct, nullptr)) {
    counts = ",\"total\":" + std::to_string(acct.TotalProcesses) + ",\"active\":" + std::to_string(acct.ActiveProcesses) +
             ",\"terminated\":" + std::to_string(acct.TotalTerminatedProcesses);
  }
  CloseHandle(job);
  std::printf("{\"job\":%s,\"pids\":[%s],\"assigned\":%lu%s}\n", json(name).c_str(), pids.c_str(),
              list->NumberOfAssignedProcesses, counts.c_str());
  return kOk;
}

int jobKill(const std::string& name, UINT code) {
  HANDLE job = OpenJobObjectA(JOB_OBJECT_TERMINATE | JOB_OBJECT_QUERY, FALSE, name.c_str());
  if (!job) return fail("OpenJobObject(" + name + ")", GetLastError());
  const bool ok = TerminateJobObject(job, code);
  const DWORD e = GetLastError();
  CloseHandle(job);
  if (!ok) return fail("TerminateJobObject(" + name + ")", e);
  std::printf("{\"job\":%s,\"terminated\":true,\"code\":%u}\n", json(name).c_str(), code);
  return kOk;
}

int kill(DWORD pid, UINT code) {
  HANDLE h = OpenProcess(PROCESS_TERMINATE, FALSE, pid);
  if (!h) return fail("OpenProcess(" + std::to_string(pid) + ", PROCESS_TERMINATE)", GetLastError());
  const bool ok = TerminateProcess(h, code);
  const DWORD e = GetLastError();
  CloseHandle(h);
  if (!ok) return fail("TerminateProcess(" + std::to_string(pid) + ")", e);
  std::printf("{\"pid\":%lu,\"terminated\":true,\"code\":%u}\n", pid, code);
  return kOk;
}

// dbghelp is loaded at run time: it is a system DLL, and a missing export is said, not a load failure.
int dump(DWORD pid, const std::string& file) {
  using DumpFn = BOOL(WINAPI*)(HANDLE, DWORD, HANDLE, MINIDUMP_TYPE, PMINIDUMP_EXCEPTION_INFORMATION,
                               PMINIDUMP_USER_STREAM_INFORMATION, PMINIDUMP_CALLBACK_INFORMATION);
  HMODULE dbghelp = LoadLibraryA("dbghelp.dll");
  if (!dbghelp) return fail("LoadLibrary(dbghelp.dll)", GetLastError());
  const auto write = reinterpret_cast<DumpFn>(reinterpret_cast<void*>(GetProcAddress(dbghelp, "MiniDumpWriteDump")));
  if (!write) return fail("GetProcAddress(MiniDumpWriteDump)", GetLastError());
  HANDLE h = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ | PROCESS_DUP_HANDLE, FALSE, pid);
  if (!h) return fail("OpenProcess(" + std::to_string(pid) + ")", GetLastError());
  HANDLE out = CreateFileA(file.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (out == INVALID_HANDLE_VALUE) {
    const DWORD e = GetLastError();
    CloseHandle(h);
    return fail("CreateFile(" + file + ")", e);
  }
  // Threads, their stacks and the loaded modules: enough for a debugger's "~*k" without the whole heap.
  const auto type = static_cast<MINIDUMP_TYPE>(MiniDumpNormal | MiniDumpWithThreadInfo | MiniDumpWithUnloadedModules);
  const bool ok = write(h, pid, out, type, nullptr, nullptr, nullptr);
  const DWORD e = GetLastError();
  LARGE_INTEGER size = {};
  GetFileSizeEx(out, &size);
  CloseHandle(out);
  CloseHandle(h);
  if (!ok) return fail("MiniDumpWriteDump(" + std::to_string(pid) + ")", e);
  std::printf("{\"pid\":%lu,\"dump\":%s,\"bytes\":%lld}\n", pid, json(file).c_str(), static_cast<long long>(size.QuadPart));
  return kOk;
}

bool number(const char* s, unsigned long& out) {
  char* end = nullptr;
  out = std::strtoul(s, &end, 0);  // base 0: a code may be given as 0xC000013A
  return *s && !*end;
}

int usage() {
  std::fprintf(stderr,
               "usage: hilt-winproc processes | process PID | env-match NAME=VALUE | job-pids NAME | job-kill NAME CODE"
               " | kill PID CODE | dump PID FILE | ctrl-break PID | close-windows PID | reaper HILT_PID (lines on stdin)\n");
  return kUsage;
}

}  // namespace

int reaper(DWORD hiltPid);    // winproc_reaper.cpp
int ctrlBreak(DWORD pid);     // winproc_stop.cpp
int closeWindows(DWORD pid);  // winproc_stop.cpp

int main(int argc, char** argv) {
  // Lines reach the reader as they are written, whatever stdout is (a pipe, a file).
  std::setvbuf(stdout, nullptr, _IOLBF, 1 << 16);
  const std::string cmd = argc > 1 ? argv[1] : "";
  unsigned long a = 0, b = 0;
  if (cmd == "processes" && argc == 2) return processes();
  if (cmd == "process" && argc == 3 && number(argv[2], a)) return process(a);
  if (cmd == "env-match" && argc == 3 && std::string(argv[2]).find('=') != std::string::npos) return envMatch(argv[2]);
  if (cmd == "job-pids" && argc == 3) return jobPids(argv[2]);
  if (cmd == "job-kill" && argc == 4 && number(argv[3], b)) return jobKill(argv[2], b);
  if (cmd == "kill" && argc == 4 && number(argv[2], a) && number(argv[3], b)) return kill(a, b);
  if (cmd == "dump" && argc == 4 && number(argv[2], a)) return dump(a, argv[3]);
  if (cmd == "reaper" && argc == 3 && number(argv[2], a)) return reaper(a);
  if (cmd == "ctrl-break" && argc == 3 && number(argv[2], a)) return ctrlBreak(a);
  if (cmd == "close-windows" && argc == 3 && number(argv[2], a)) return closeWindows(a);
  return usage();
}
