// MidiStartup: brings the engine's MIDI ports up when asked, from whichever thread asks (the
// control loop, the audio callback thread, a worker), without ever blocking that thread.
//   - the asking thread only hands the request over and returns;
//   - a supervisor thread ("hilt-midi-watch") starts a "hilt-midi-init" thread for the JACK work
//     and gives it timeoutMs; past that the engine goes on in simulation mode (no MIDI);
//   - an init thread stuck in jack_client_open is never joined and never loses the state it uses
//     (it owns it through a shared_ptr): it is detached and process exit ends it; should it
//     succeed late, it closes its own ports.
// With the bug switch init-on-callback-thread, the asking thread does the JACK work itself.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hilt {

class MidiLink;

struct MidiStartupOptions {
  std::string clientName;           // "hilt-engine-<pid>"
  int timeoutMs = 5000;             // how long the init thread gets before simulation mode
  bool initOnCallbackThread = false;  // bug switch: inline on the asking thread, no timeout, no fallback
  std::function<void()> onConnected;  // runs on the thread that connected, after the log line
};

class MidiStartup {
 public:
  explicit MidiStartup(MidiStartupOptions options);
  ~MidiStartup();
  MidiStartup(const MidiStartup&) = delete;
  MidiStartup& operator=(const MidiStartup&) = delete;

  // Called on the thread named by `thread` ("main", "audio", "worker").
  void request(const std::string& thread);
  // Closes the ports; a start in progress is cancelled (its ports are closed when it ends).
  void stop();
  // At exit: closes the ports and returns at once even when an init thread is stuck. Idempotent.
  void shutdown();

 private:
  struct Attempt;
  static void initThread(std::shared_ptr<Attempt> attempt, std::string clientName);
  void supervise();
  void runAttempt(const std::shared_ptr<Attempt>& attempt);
  void runInline(const std::string& thread, int64_t requestedMicros);
  bool refuseLocked();  // logs why a new start cannot begin; mutex_ held

  const MidiStartupOptions options_;
  std::mutex mutex_;
  std::condition_variable cv_;             // wakes the supervisor
  std::shared_ptr<Attempt> pending_;       // handed over by request(), taken by the supervisor
  std::shared_ptr<Attempt> current_;       // the attempt the supervisor is waiting on
  std::vector<std::shared_ptr<Attempt>> abandoned_;  // timed out or cancelled, init maybe stuck
  std::unique_ptr<MidiLink> link_;
  bool inlineBusy_ = false;
  bool exiting_ = false;
  std::thread supervisor_;
};

}  // namespace hilt
