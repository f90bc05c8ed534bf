// hilt-engine: the reference engine as a standalone process, for process-level faults.
//
//   hilt-engine --output <sink> [--tap-app <application.name>]
//
// Prints "ready" when the tap is live. Stops cleanly (destroys its tap, exit 0) on SIGTERM,
// SIGINT, a "stop" line on stdin, or stdin closed. Bug switches come from HILT_ENGINE_BUG.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "bug_switches.h"
#include "log.h"
#include "tap_engine.h"

namespace {

int usage(const char* why) {
  std::fprintf(stderr, "hilt-engine: %s\nusage: hilt-engine --output <sink> [--tap-app <application.name>]\n", why);
  return 2;
}

// Waits for a stop request: a signal (via signalfd, so the work happens outside signal
// context) or stdin. Returns a description of what asked us to stop.
std::string waitForStop(int sigfd) {
  std::string pending;
  for (;;) {
    pollfd fds[2] = {{sigfd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      if (read(sigfd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        return std::string("signal ") + sigabbrev_np(static_cast<int>(info.ssi_signo));
      }
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[256];
      const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
      if (n <= 0) return "stdin closed";
      pending.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        const std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        if (line == "stop") return "stop command";
        if (!line.empty()) hilt::logLine("control: unknown command '" + line + "' (known: stop)");
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  hilt::TapEngineOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--output" || arg == "--tap-app") && i + 1 < argc) {
      (arg == "--output" ? options.outputSink : options.tapApp) = argv[++i];
    } else {
      return usage(("unknown argument '" + arg + "'").c_str());
    }
  }
  if (options.outputSink.empty()) return usage("--output is required");
  std::string error;
  if (!hilt::BugSwitches::fromEnv(options.bugs, error)) return usage(error.c_str());

  // Block the stop signals in every thread (the audio client thread inherits this mask) and
  // receive them through a descriptor instead.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  const int sigfd = signalfd(-1, &stopSignals, SFD_CLOEXEC);
  signal(SIGPIPE, SIG_IGN);

  hilt::logLine("starting (output=" + options.outputSink + ", bugs=" + options.bugs.describe() + ")");
  hilt::TapEngine engine;
  if (!engine.start(options, error)) {
    std::fprintf(stderr, "hilt-engine: %s\n", error.c_str());
    return 1;
  }
  hilt::logLine("ready tap=" + engine.tapName() + " output=" + options.outputSink);
  const std::string why = waitForStop(sigfd);
  hilt::logLine("stop requested (" + why + ")");
  engine.stop();
  return 0;
}
