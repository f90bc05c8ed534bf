// hilt-engine-win: the reference engine on Windows (WASAPI), for the GC-teardown seed bug
// (numchuck, seeds/000) and for crashes on a chosen thread.
//
//   hilt-engine-win [--hz F]                            one engine; control lines on stdin
//   hilt-engine-win --gc --count N --batch B [--hz F]   engines made and collected in batches
//   hilt-engine-win --helper [--hz F]                   a helper's own engine, until killed
#include <windows.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bug_switches.h"
#include "clock_log.h"
#include "crash.h"
#include "wasapi_engine.h"

using namespace hiltwin;

namespace {

constexpr int kExitUsage = 2;  // hilt's usage-error code
constexpr DWORD kBatchRunMs = 50;  // how long a batch plays before the collector drops it
constexpr const char* kHelperArgs = " --helper --hz 880";  // its own tone, told apart from the engine's

struct Options {
  bool gc = false;
  bool helper = false;
  int count = 0;
  int batch = 1;
  double hz = 660.0;
};

int usage(const char* why) {
  std::fprintf(stderr,
               "hilt-engine-win: %s\n"
               "usage: hilt-engine-win [--hz F]\n"
               "       hilt-engine-win --gc --count N --batch B [--hz F]\n"
               "       hilt-engine-win --helper [--hz F]\n",
               why);
  return kExitUsage;
}

bool parseArgs(int argc, char** argv, Options& o, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool hasValue = i + 1 < argc;
    if (a == "--gc") o.gc = true;
    else if (a == "--helper") o.helper = true;
    else if (a == "--count" && hasValue) o.count = std::atoi(argv[++i]);
    else if (a == "--batch" && hasValue) o.batch = std::atoi(argv[++i]);
    else if (a == "--hz" && hasValue) o.hz = std::atof(argv[++i]);
    else return error = "unknown or incomplete argument '" + a + "'", false;
  }
  if (o.gc && o.helper) return error = "--gc and --helper are two modes: give one", false;
  if (o.gc && (o.count < 1 || o.batch < 1)) return error = "--gc needs --count N and --batch B (both >= 1)", false;
  if (!(o.hz > 0.0 && o.hz < 24000.0)) return error = "--hz must be between 0 and 24000", false;
  return true;
}

// The finalizer, on the main thread: what a binding's garbage collector runs for one engine.
// Safe order: stop, join, release the COM objects on their own thread, free.
void collect(Engine* e, const BugSwitches& bugs) {
  const int id = e->id;
  if (bugs.freeWhileRunning) {
    lifecycle(id, "freed-while-running (bug switch free-while-running)");
    VirtualFree(e, 0, MEM_RELEASE);  // the render thread faults on its next period
    lifecycle(id, "freed");
    return;
  }
  if (bugs.noShutdown) {
    releaseEngine(e);  // the client is still started and the render thread still feeds it
    lifecycle(id, "tap-destroyed (audio client released, bug switch no-shutdown)");
    Sleep(kBatchRunMs);  // the rest of the collection: the render thread keeps calling the released client
  }
  lifecycle(id, "stop-requested (finalizer)");
  if (!stopEngine(e, !bugs.noShutdown)) {
    // A thread that will not stop must not be freed under it: leak the engine, say so.
    lifecycle(id, "join-timeout (engine leaked, not freed)");
    return;
  }
  lifecycle(id, "threads-joined");
  if (!bugs.noShutdown) {
    releaseEngine(e);
    lifecycle(id, "tap-destroyed (audio client released)");
  }
  freeEngine(e);
  lifecycle(id, "freed");
}

void startHelper();

int runGc(const Options& o, const BugSwitches& bugs) {
  if (bugs.helperOutlives) startHelper();  // a program that ends by itself and leaves its helper running
  plainLine("gc ready");
  warmUpAudio();  // the audio stack's own per-process threads are part of the baseline
  plainLine("threads baseline=" + std::to_string(threadCount()));
  const double t0 = msSinceStart();
  int made = 0;
  while (made < o.count) {
    std::vector<Engine*> batch;
    for (int i = 0; i < o.batch && made < o.count; ++i) {
      std::string error;
      Engine* e = createEngine(++made, o.hz, error);
      if (!e) return logLine("engine#" + std::to_string(made) + " create failed: " + error), 1;
      lifecycle(e->id, "created");
      if (!startEngine(e, error)) return logLine("engine#" + std::to_string(e->id) + " start failed: " + error), 1;
      lifecycle(e->id, "started (" + describeFormat(e) + ")");
      batch.push_back(e);
    }
    Sleep(kBatchRunMs);
    for (Engine* e : batch) collect(e, bugs);
  }
  char done[64];
  std::snprintf(done, sizeof done, "done cycles=%d ms=%.1f", made, msSinceStart() - t0);
  plainLine("threads end=" + std::to_string(threadCount()));
  plainLine(done);
  return 0;
}

// The orderly end: stop, join, release on this (the creating) thread, free.
int stopAndExit(Engine* e, const char* why) {
  logLine(std::string("stop requested (") + why + ")");
  if (!stopEngine(e, true)) return logLine("render thread did not stop within its deadline"), 1;
  releaseEngine(e);
  freeEngine(e);
  logLine("stopped");
  return 0;
}

// Bug switch crash-handler-hangs: the engine the filter shuts down, the filter it replaced (mingw's
// CRT installs one), and whether it ran (so a render crash that never ends is told apart).
std::atomic<Engine*> crashEngine{nullptr};
LPTOP_LEVEL_EXCEPTION_FILTER previousFilter = nullptr;
std::atomic<bool> crashHandlerEntered{false};

// "Shut the engine down cleanly before dying": stop it and join the render thread, unbounded.
// When the fault is on the render thread itself, the join waits for the thread that is waiting,
// and the process never dies (the bug); on any other thread the join ends and the crash goes on.
LONG WINAPI stopEngineBeforeDying(EXCEPTION_POINTERS* info) {
  crashHandlerEntered = true;
  logLine("crash handler: stopping the engine");
  if (Engine* e = crashEngine.load()) {
    e->stopRequested = true;
    SetEvent(e->event);
    e->client->Stop();
    WaitForSingleObject(e->thread, INFINITE);
    logLine("crash handler: render thread joined");
  }
  // On to the CRT's filter, then the default: the process ends with the fault's code as without it.
  return previousFilter ? previousFilter(info) : EXCEPTION_CONTINUE_SEARCH;
}

void installCrashHandler(Engine* e) {
  crashEngine = e;
  previousFilter = SetUnhandledExceptionFilter(stopEngineBeforeDying);
  logLine("crash handler installed (bug switch crash-handler-hangs)");
}

// Bug switch helper-outlives: the same exe in --helper mode, broken away from the launcher's job
// so that killing the launcher (and with it the engine) leaves the helper and its stream running.
// It writes to the engine's stdout and stderr so its lines reach the harness; no stdin.
void startHelper() {
  char exe[MAX_PATH];
  const DWORD n = GetModuleFileNameA(nullptr, exe, sizeof exe);
  if (n == 0 || n >= sizeof exe) {
    return logLine("helper not started: GetModuleFileNameA failed: " + std::to_string(GetLastError()));
  }
  std::string cmdline = std::string("\"") + exe + "\"" + kHelperArgs;
  STARTUPINFOA si = {};
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
  si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  // Handed on only if inheritable: they are when the launcher passed them, set again to be sure.
  SetHandleInformation(si.hStdOutput, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  SetHandleInformation(si.hStdError, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  // bInheritHandles hands on every inheritable handle: not the harness's stdin pipe, not the helper's.
  SetHandleInformation(GetStdHandle(STD_INPUT_HANDLE), HANDLE_FLAG_INHERIT, 0);
  PROCESS_INFORMATION pi = {};
  if (!CreateProcessA(nullptr, &cmdline[0], nullptr, nullptr, TRUE, CREATE_BREAKAWAY_FROM_JOB, nullptr, nullptr, &si,
                      &pi)) {
    // ERROR_ACCESS_DENIED (5) here: the launcher's job does not allow breakaway.
    return logLine("helper not started: CreateProcessA(CREATE_BREAKAWAY_FROM_JOB) failed: " +
                   std::to_string(GetLastError()));
  }
  BOOL inJob = FALSE;
  const bool known = IsProcessInJob(pi.hProcess, nullptr, &inJob);
  const char* job = known ? (inJob ? "yes" : "no") : "unknown";
  logLine("helper started pid=" + std::to_string(pi.dwProcessId) + " in-job=" + job + " (bug switch helper-outlives)");
  CloseHandle(pi.hThread);
  CloseHandle(pi.hProcess);
}

// --helper: its own engine and tone, no control lines, until killed (it never stops on its own).
int runHelper(const Options& o) {
  std::string error;
  Engine* e = createEngine(1, o.hz, error);
  if (!e) return logLine("helper create failed: " + error), 1;
  if (!startEngine(e, error)) return logLine("helper start failed: " + error), 1;
  char ready[128];
  std::snprintf(ready, sizeof ready, "helper ready hz=%g mix=%s", o.hz, describeFormat(e).c_str());
  logLine(ready);
  WaitForSingleObject(e->thread, INFINITE);  // returns only if the render thread ended by itself
  logLine("helper: render thread ended");
  return 1;
}

// "crash <kind> <thread>": main does it now; the render thread on its next period.
void crashCommand(Engine* e, const std::string& kindName, const std::string& thread) {
  const CrashKind kind = crashKindFromName(kindName);
  if (kind == CrashKind::None) {
    logLine("unknown crash kind '" + kindName + "' (known: av, stack-overflow, heap-corruption, fast-fail, breakpoint)");
  } else if (thread == "main") {
    crashNow(kind, "main");
  } else if (thread == "render") {
    e->crashRequest = static_cast<int>(kind);
    // Waits for the crash to end the process; a render thread still alive after 5 s did not crash.
    if (WaitForSingleObject(e->thread, 5000) == WAIT_TIMEOUT) {
      logLine(crashHandlerEntered
                  ? "render thread crashed, but the process did not end within 5 s (crash handler still running)"
                  : "render thread did not crash within 5 s");
    }
  } else {
    logLine("unknown thread '" + thread + "' (known: main, render)");
  }
}

// Ctrl+Break (or the console closing) asks the main thread to stop, as "stop" on stdin does: the
// handler runs on a thread Windows makes for it, and the engine's COM objects are the main thread's.
HANDLE ctrlStop = nullptr;
BOOL WINAPI onConsoleCtrl(DWORD type) {
  if (type != CTRL_BREAK_EVENT && type != CTRL_C_EVENT && type != CTRL_CLOSE_EVENT) return FALSE;
  SetEvent(ctrlStop);
  return TRUE;  // handled: without it, Windows ends the process with STATUS_CONTROL_C_EXIT
}

// Stdin is read on a thread of its own, one line at a time, so the main thread can wait for a line
// and for Ctrl+Break at once. lineReady: a line (or the end of input) is there; lineTaken: read on.
struct StdinLines {
  HANDLE lineReady = CreateEventA(nullptr, FALSE, FALSE, nullptr);
  HANDLE lineTaken = CreateEventA(nullptr, FALSE, FALSE, nullptr);
  char buf[256] = "";
  bool eof = false;
};

DWORD WINAPI readStdin(void* arg) {
  auto* in = static_cast<StdinLines*>(arg);
  for (;;) {
    in->eof = std::fgets(in->buf, sizeof in->buf, stdin) == nullptr;
    SetEvent(in->lineReady);
    if (in->eof) return 0;
    WaitForSingleObject(in->lineTaken, INFINITE);
  }
}

int runControlled(const Options& o, const BugSwitches& bugs) {
  if (bugs.helperOutlives) startHelper();
  std::string error;
  Engine* e = createEngine(1, o.hz, error);
  if (!e) return logLine("create failed: " + error), 1;
  if (!startEngine(e, error)) return logLine("start failed: " + error), 1;
  if (bugs.crashHandlerHangs) installCrashHandler(e);
  ctrlStop = CreateEventA(nullptr, TRUE, FALSE, nullptr);
  if (!bugs.noCtrlHandler) SetConsoleCtrlHandler(onConsoleCtrl, TRUE);
  static StdinLines in;  // static: the reader thread may still wait in fgets when main returns
  CloseHandle(CreateThread(nullptr, 0, readStdin, &in, 0, nullptr));
  char ready[128];
  std::snprintf(ready, sizeof ready, "ready render=running hz=%g mix=%s", o.hz, describeFormat(e).c_str());
  logLine(ready);
  for (;;) {
    HANDLE waits[] = {in.lineReady, ctrlStop};
    if (WaitForMultipleObjects(2, waits, FALSE, INFINITE) == WAIT_OBJECT_0 + 1) return stopAndExit(e, "ctrl-break");
    if (in.eof) return stopAndExit(e, "stdin closed");
    char cmd[32] = "", kind[32] = "", thread[32] = "";
    const int n = std::sscanf(in.buf, "%31s %31s %31s", cmd, kind, thread);
    SetEvent(in.lineTaken);
    if (n < 1) continue;
    if (std::strcmp(cmd, "stop") == 0) return stopAndExit(e, "stop");
    if (std::strcmp(cmd, "crash") == 0 && n == 3) crashCommand(e, kind, thread);
    else logLine(std::string("unknown command '") + cmd + "' (known: stop, crash <kind> <main|render>)");
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::string error;
  if (!parseArgs(argc, argv, options, error)) return usage(error.c_str());
  BugSwitches bugs;
  if (!BugSwitches::fromEnv(bugs, error)) return usage(error.c_str());
  if (options.helper) return runHelper(options);
  return options.gc ? runGc(options, bugs) : runControlled(options, bugs);
}
