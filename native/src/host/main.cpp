// hilt-engine: the reference engine as a standalone process, for process-level faults.
//
//   hilt-engine --output <sink> [--tap-app <application.name>]... [--midi-timeout-ms N] [--heartbeat-ms N]
//
// Prints "ready" when its taps are live. Defence in depth against orphaned taps, FineTune's
// four layers plus a fifth:
//   1. clean stop: a "stop" line on stdin, or stdin closed, destroys every tap and exits 0;
//   2. SIGTERM/SIGINT: the same clean path, the work done outside signal context (signalfd);
//   3. crash guard: SIGSEGV/ABRT/BUS/TRAP/ILL/FPE destroy the tracked taps, then re-raise (on an
//      alternate signal stack on every thread the engine runs, allocating nothing, once);
//   4. sweep at start: taps of dead engines are destroyed before new ones are made;
//   5. guardian: a helper process destroys the taps the moment the engine dies, even by SIGKILL.
// Control lines on stdin: stop | secondary | remove-secondary [crash-during=<kind>] |
// crash <segv|abrt|bus|trap|ill|fpe|stack-overflow|heap-corruption|terminate|crash-in-crash> [main|audio|worker] | midi-start [main|audio|worker] | midi-stop.
// Bug switches come from HILT_ENGINE_BUG.
// MIDI (JACK, through RtMidi): midi-start asks for the ports from the thread named; a helper thread
// does the JACK work and gets --midi-timeout-ms (default 5000), after which the engine goes on in
// simulation mode. --heartbeat-ms N (default 0, off) logs "heartbeat audio t=<ms>" from the audio
// thread every N ms, so a blocked audio thread shows as a gap.
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "bug_switches.h"
#include "control_lines.h"
#include "crash.h"
#include "crash_guard.h"
#include "guardian_link.h"
#include "log.h"
#include "midi_startup.h"
#include "pulse_wire.h"
#include "tap_engine.h"

namespace {

int usage(const char* why) {
  std::fprintf(stderr,
               "hilt-engine: %s\nusage: hilt-engine --output <sink> [--tap-app <application.name>]... "
               "[--midi-timeout-ms N] [--heartbeat-ms N]\n",
               why);
  return 2;
}

// A worker thread with a job queue: the engine's non-audio background work, and the third
// place a crash can be aimed at.
class Worker {
 public:
  Worker() : thread_([this] { run(); }) {}
  ~Worker() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void post(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
  }

 private:
  void run() {
    pthread_setname_np(pthread_self(), "hilt-worker");
    hilt::installAltStackOnThisThread();
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      cv_.wait(lock, [this] { return done_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool done_ = false;
  std::thread thread_;
};

// Bug switch fork-keeps-midi: a helper forked without exec (as Python's multiprocessing 'fork'
// start method does) inherits every descriptor, the MIDI server's connection and the guardian's
// pipe included, and outlives the engine: the server never sees the engine's clients go.
void forkIdleChild() {
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_NAME, "hilt-engine-fork");
    for (;;) pause();  // SIGTERM/SIGINT stay blocked (inherited mask): only SIGKILL ends it
  }
  hilt::logLine("midi: forked a helper process pid=" + std::to_string(pid) + " (bug switch fork-keeps-midi)");
}

// Runs one control line; returns true when it asks the engine to stop.
bool runCommand(const std::string& line, hilt::TapEngine& engine, Worker& worker, hilt::MidiStartup& midi) {
  std::istringstream in(line);
  std::string verb, a, b;
  in >> verb >> a >> b;
  if (verb == "stop") return true;
  if (verb == "crash" && hilt::isCrashKind(a)) {
    const std::string thread = b.empty() ? "main" : b;
    if (a == "terminate" && thread != "worker") {
      // Thrown on main it unwinds into the control loop, on audio into libpulse's C frames: only a
      // worker's job has nothing above it but the thread's start, where std::terminate is certain.
      hilt::logLine("control: crash terminate is for the worker thread only (asked: " + thread + ")");
      return false;
    }
    hilt::logLine("control: crash " + a + " on the " + thread + " thread");
    if (thread == "main") hilt::crashNow(a);
    if (thread == "audio") engine.runOnAudioThread([a] { hilt::crashNow(a); });
    if (thread == "worker") worker.post([a] { hilt::crashNow(a); });
    if (thread != "main" && thread != "audio" && thread != "worker") {
      hilt::logLine("control: unknown thread '" + thread + "' (known: main, audio, worker)");
    }
    return false;
  }
  if (verb == "secondary") {
    std::string error;
    hilt::logLine(engine.addSecondaryTaps(error) ? "control: secondary taps ready taps=" + engine.tapNames()
                                                 : "control: secondary taps failed: " + error);
    return false;
  }
  if (verb == "remove-secondary") {
    const std::string crash = a.rfind("crash-during=", 0) == 0 ? a.substr(13) : "";
    if (!crash.empty() && !hilt::isCrashKind(crash)) {
      hilt::logLine("control: unknown crash kind '" + crash + "'");
      return false;
    }
    engine.removeSecondaryTaps(crash);
    hilt::logLine("control: secondary taps removed taps=" + engine.tapNames());
    return false;
  }
  if (verb == "midi-start") {
    const std::string thread = a.empty() ? "main" : a;
    if (thread == "main") midi.request("main");
    if (thread == "audio") engine.runOnAudioThread([&midi] { midi.request("audio"); });
    if (thread == "worker") worker.post([&midi] { midi.request("worker"); });
    if (thread != "main" && thread != "audio" && thread != "worker") {
      hilt::logLine("control: unknown thread '" + thread + "' (known: main, audio, worker)");
    }
    return false;
  }
  if (verb == "midi-stop") {
    midi.stop();
    return false;
  }
  if (!verb.empty()) {
    hilt::logLine("control: unknown command '" + line +
                  "' (known: stop, secondary, remove-secondary [crash-during=<kind>], crash <kind> [main|audio|worker], "
                  "midi-start [main|audio|worker], midi-stop)");
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  hilt::TapEngineOptions options;
  int midiTimeoutMs = 5000;
  int heartbeatMs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--output" && i + 1 < argc) {
      options.outputSink = argv[++i];
    } else if (arg == "--tap-app" && i + 1 < argc) {
      options.tapApps.emplace_back(argv[++i]);
    } else if (arg == "--midi-timeout-ms" && i + 1 < argc) {
      midiTimeoutMs = std::atoi(argv[++i]);
    } else if (arg == "--heartbeat-ms" && i + 1 < argc) {
      heartbeatMs = std::atoi(argv[++i]);
    } else {
      return usage(("unknown argument '" + arg + "'").c_str());
    }
  }
  if (options.outputSink.empty()) return usage("--output is required");
  if (midiTimeoutMs <= 0) return usage("--midi-timeout-ms must be a positive number of milliseconds");
  if (heartbeatMs < 0) return usage("--heartbeat-ms must be 0 (off) or a number of milliseconds");
  std::string error;
  if (!hilt::BugSwitches::fromEnv(options.bugs, error)) return usage(error.c_str());
  if (const char* p = std::getenv("HILT_ENGINE_PAUSE_AT")) options.pauseAt = p;
  pthread_setname_np(pthread_self(), "hilt-engine");
  // Before any thread starts: each one sets up its own alternate stack as it begins.
  hilt::configureCrashGuard({!options.bugs.noAltStack, options.bugs.guardAllocates, options.bugs.secondCrashKills,
                             options.bugs.terminateExits});
  hilt::installAltStackOnThisThread();
  signal(SIGPIPE, SIG_IGN);

  // Layer 2. Block the stop signals in every thread (threads inherit this mask) and receive them
  // through a descriptor instead. Without it (bug switch) they kill us with no cleanup.
  int sigfd = -1;
  if (!options.bugs.noSignalHandlers) {
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    sigfd = signalfd(-1, &stopSignals, SFD_CLOEXEC);
  }
  // After the mask, so their threads (and JACK's, started from them) inherit it. MIDI before the
  // worker: a midi-start job still queued when the worker drains must find it alive.
  hilt::MidiStartup midi({"hilt-engine-" + std::to_string(getpid()), midiTimeoutMs, options.bugs.initOnCallbackThread,
                          options.bugs.forkKeepsMidi ? forkIdleChild : std::function<void()>()});
  Worker worker;

  hilt::logLine("starting (output=" + options.outputSink + ", bugs=" + options.bugs.describe() + ")");
  hilt::PulseWire wire;
  hilt::GuardianLink guardian;
  options.guardian = &guardian;
  // Layers 3 and 5 need the server's address, so they come up once connected, before any tap;
  // after a server restart again, on the new server (the old wire and guardian speak to nothing).
  auto guardsUp = [&](const std::string& server, bool again, std::string& err) {
    const std::string socket = hilt::pulseSocketPath(server.c_str());
    if (options.bugs.noCrashGuard) {
      hilt::logLine("crashguard: not installed (bug switch no-crashguard)");
    } else {
      wire.close();  // open on the old server after a restart; a no-op the first time
      if (!wire.open(socket, "hilt-engine crash guard", 2000, err)) {
        err = "crash guard: " + err;
        return false;
      }
      hilt::installCrashGuard(&wire);
    }
    if (options.bugs.noGuardian) {
      hilt::logLine("guardian: not started (bug switch no-guardian)");
      return true;
    }
    const pid_t old = guardian.pid();
    guardian.stop(1000);  // everything was untracked: the old one says goodbye and exits
    if (!guardian.start(hilt::guardianPathNextToSelf(), socket, 3000, !options.bugs.guardianInGroup, err)) return false;
    if (again) {
      hilt::logLine("guardian: restarted pid=" + std::to_string(guardian.pid()) +
                    (old > 0 ? " (was pid " + std::to_string(old) + ")" : ""));
    }
    return true;
  };
  options.onConnected = [&](const std::string& server, std::string& err) { return guardsUp(server, false, err); };
  options.onReconnected = [&](const std::string& server, std::string& err) { return guardsUp(server, true, err); };
  if (options.bugs.noSignalHandlers) hilt::logLine("signals: SIGTERM/SIGINT not handled (bug switch no-signal-handlers)");

  hilt::TapEngine engine;
  if (!engine.start(options, error)) {
    std::fprintf(stderr, "hilt-engine: %s\n", error.c_str());
    guardian.stop(1000);
    return 1;
  }
  hilt::logLine("ready taps=" + engine.tapNames() + " output=" + options.outputSink +
                (guardian.running() ? " guardian=" + std::to_string(guardian.pid()) : ""));
  if (heartbeatMs > 0) engine.startHeartbeat(heartbeatMs);
  const std::string why =
      hilt::serveControlLines(sigfd, [&](const std::string& line) { return runCommand(line, engine, worker, midi); });
  hilt::logLine("stop requested (" + why + ")");
  midi.shutdown();  // ports closed before the audio side goes; never waits on a stuck init thread
  engine.stop();
  guardian.stop(1000);
  hilt::logLine("exit 0");
  return 0;
}
