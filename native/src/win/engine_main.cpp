// hilt-engine-win: the reference engine on Windows (WASAPI), for the GC-teardown seed bug
// (numchuck, seeds/000) and for crashes on a chosen thread.
//
//   hilt-engine-win [--hz F]                            one engine; control lines on stdin
//   hilt-engine-win --gc --count N --batch B [--hz F]   engines made and collected in batches
#include <windows.h>

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

struct Options {
  bool gc = false;
  int count = 0;
  int batch = 1;
  double hz = 660.0;
};

int usage(const char* why) {
  std::fprintf(stderr,
               "hilt-engine-win: %s\n"
               "usage: hilt-engine-win [--hz F]\n"
               "       hilt-engine-win --gc --count N --batch B [--hz F]\n",
               why);
  return kExitUsage;
}

bool parseArgs(int argc, char** argv, Options& o, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool hasValue = i + 1 < argc;
    if (a == "--gc") o.gc = true;
    else if (a == "--count" && hasValue) o.count = std::atoi(argv[++i]);
    else if (a == "--batch" && hasValue) o.batch = std::atoi(argv[++i]);
    else if (a == "--hz" && hasValue) o.hz = std::atof(argv[++i]);
    else return error = "unknown or incomplete argument '" + a + "'", false;
  }
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

int runGc(const Options& o, const BugSwitches& bugs) {
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
    if (WaitForSingleObject(e->thread, 5000) == WAIT_TIMEOUT) logLine("render thread did not crash within 5 s");
  } else {
    logLine("unknown thread '" + thread + "' (known: main, render)");
  }
}

int runControlled(const Options& o) {
  std::string error;
  Engine* e = createEngine(1, o.hz, error);
  if (!e) return logLine("create failed: " + error), 1;
  if (!startEngine(e, error)) return logLine("start failed: " + error), 1;
  char ready[128];
  std::snprintf(ready, sizeof ready, "ready render=running hz=%g mix=%s", o.hz, describeFormat(e).c_str());
  logLine(ready);
  char buf[256];
  while (std::fgets(buf, sizeof buf, stdin)) {
    char cmd[32] = "", kind[32] = "", thread[32] = "";
    const int n = std::sscanf(buf, "%31s %31s %31s", cmd, kind, thread);
    if (n < 1) continue;
    if (std::strcmp(cmd, "stop") == 0) return stopAndExit(e, "stop");
    if (std::strcmp(cmd, "crash") == 0 && n == 3) crashCommand(e, kind, thread);
    else logLine(std::string("unknown command '") + cmd + "' (known: stop, crash <kind> <main|render>)");
  }
  return stopAndExit(e, "stdin closed");
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::string error;
  if (!parseArgs(argc, argv, options, error)) return usage(error.c_str());
  BugSwitches bugs;
  if (!BugSwitches::fromEnv(bugs, error)) return usage(error.c_str());
  return options.gc ? runGc(options, bugs) : runControlled(options);
}
