// hilt-kernel: the reference kernel as an app that hosts it, the way Max hosts its Jupyter
// kernel object (seed 001). The app outlives a kernel stop; quitting stops a running kernel.
//
//   hilt-kernel --connection-file <path> [--join-deadline-ms N]
//
// Control lines on stdin: start | stop | quit. stdin closed, SIGTERM or SIGINT mean quit.
// Bug switches (HILT_ENGINE_BUG): blocking-poll, leak-on-stop.
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "bug_switches.h"
#include "control_lines.h"
#include "kernel_server.h"
#include "log.h"

namespace {

int usage(const char* why) {
  std::fprintf(stderr, "hilt-kernel: %s\nusage: hilt-kernel --connection-file <path> [--join-deadline-ms N]\n", why);
  return 2;
}

// Runs one control line; returns true when it asks the app to quit.
bool runCommand(const std::string& line, hilt::KernelServer& kernel) {
  std::string error;
  if (line == "quit") return true;
  if (line == "stop") {
    if (!kernel.running()) hilt::logLine("control: kernel not running");
    kernel.stop("stop command");
  } else if (line == "start") {
    if (!kernel.start(error)) hilt::logLine("control: start failed: " + error);
  } else if (!line.empty()) {
    hilt::logLine("control: unknown command '" + line + "' (known: start, stop, quit)");
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  hilt::setLogName("hilt-kernel");
  hilt::KernelOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--connection-file" && i + 1 < argc) {
      options.connectionFile = argv[++i];
    } else if (arg == "--join-deadline-ms" && i + 1 < argc) {
      options.joinDeadlineMs = std::atoi(argv[++i]);
    } else {
      return usage(("unknown argument '" + arg + "'").c_str());
    }
  }
  if (options.connectionFile.empty()) return usage("--connection-file is required");
  hilt::BugSwitches bugs;
  std::string error;
  if (!hilt::BugSwitches::fromEnv(bugs, error)) return usage(error.c_str());
  options.blockingPoll = bugs.blockingPoll;
  options.leakOnStop = bugs.leakOnStop;
  pthread_setname_np(pthread_self(), "hilt-kernel");
  signal(SIGPIPE, SIG_IGN);

  // Quit signals arrive through a descriptor the main loop polls: the work happens outside
  // signal context. While the main thread is stuck (a hung join) they stay pending.
  const int sigfd = hilt::quitSignalFd();

  hilt::logLine("starting (bugs=" + bugs.describe() + ")");
  hilt::KernelServer kernel(options);
  if (!kernel.start(error)) {
    std::fprintf(stderr, "hilt-kernel: %s\n", error.c_str());
    return 1;
  }
  const std::string why = hilt::serveControlLines(sigfd, [&](const std::string& line) { return runCommand(line, kernel); });
  hilt::logLine("quit requested (" + why + ")");
  kernel.stop("quit");
  hilt::logLine("exit 0");
  return 0;
}
