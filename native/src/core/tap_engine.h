// TapEngine: the reference target. It taps other apps' audio the way FineTune does on macOS,
// with the Linux equivalents through libpulse (served by pipewire-pulse):
//   - a server-side null sink per tap is FineTune's aggregate device: "hilt-engine-<pid>" taps
//     every other stream on the output, "hilt-engine-<pid>-<app>" one app's streams,
//   - streams playing on the output are moved into their tap (muted-when-tapped),
//   - each tap's monitor is read and played back into the output (audio flows through the engine),
//   - "<tap>-secondary" is the crossfade tap FineTune adds while switching devices,
//   - at start, taps whose creator pid is dead are swept (orphans of a kill -9),
//   - when the audio server restarts (every tap gone with it), the engine connects again and
//     makes its taps again, as an app must when coreaudiod or pipewire-pulse is restarted,
//   - when its guardian dies first (OOM killer, killall), it starts a new one tracking every tap.
// Every tap is registered with the crash guard's table and the guardian: tracked right after it
// is created, untracked right before it is destroyed.
#pragma once

#include <pulse/pulseaudio.h>
#include <signal.h>
#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bug_switches.h"

namespace hilt {

class GuardianLink;

struct TapEngineOptions {
  std::string outputSink;            // the device the engine taps and plays back into
  std::vector<std::string> tapApps;  // one tap per application.name; empty = one tap for all
  std::string clientName = "hilt-engine";
  std::string pauseAt;               // stop (SIGSTOP) at a registration point, for kill tests
  std::string instanceTag;           // several engines in one process: "hilt-engine-<pid>-<tag>"...
  BugSwitches bugs;
  GuardianLink* guardian = nullptr;  // told about every tracked object when set
  // Runs once connected, before any object exists: install the crash guard, start the guardian.
  std::function<bool(const std::string& serverSocket, std::string& error)> onConnected;
  // The same after the server restarted and the engine connected again, before its taps are made
  // again: the old crash guard wire and guardian speak to a server that is gone. On the reconnect
  // thread, without the loop lock (nothing is tracked meanwhile).
  std::function<bool(const std::string& serverSocket, std::string& error)> onReconnected;
};

class TapEngine {
 public:
  TapEngine() = default;
  ~TapEngine();
  TapEngine(const TapEngine&) = delete;
  TapEngine& operator=(const TapEngine&) = delete;

  // Connects, sweeps orphans, creates the taps and starts the streams. Blocks until ready. Once
  // running, a lost server connection is retried for 10 s and the taps made again on success.
  // Returns false with a message in `error` (and leaves nothing behind) on failure.
  bool start(const TapEngineOptions& options, std::string& error);
  // Stops streams and destroys every tap; tapped streams fall back to the default device.
  // Idempotent; safe after a failed start.
  void stop();

  // Adds "<tap>-secondary" for every primary tap that has none.
  bool addSecondaryTaps(std::string& error);
  // Destroys the secondary taps; with crashDuring set, the engine crashes inside the first
  // destroy, after the server has destroyed the object (the untrack/destroy ordering window).
  void removeSecondaryTaps(const std::string& crashDuring);
  // Runs fn on the audio client thread (libpulse's mainloop thread).
  void runOnAudioThread(std::function<void()> fn);
  // Logs "heartbeat audio t=<monotonic ms>" on the audio client thread every periodMs, from a
  // mainloop timer: the lines stop while anything blocks that thread. Once; after start().
  void startHeartbeat(int periodMs);

  bool running() const { return running_.load(); }
  std::string tapNames() const;  // "a,b,c"
  int tappedCount() const { return tapped_.load(); }

 private:
  struct Tap {
    TapEngine* engine = nullptr;
    std::string name;
    std::string app;  // "" = every foreign stream
    bool secondary = false;
    uint32_t module = PA_INVALID_INDEX;
    uint32_t sink = PA_INVALID_INDEX;
    pa_stream* record = nullptr;
    pa_stream* playback = nullptr;
  };

  // Everything below runs with the threaded mainloop lock held.
  bool waitFor(pa_operation* op);
  pa_context* newContext();
  bool connect(std::string& error);
  bool findOutputSink();
  int sweepOrphans();
  bool createTap(Tap& tap, std::string& error);
  bool startStreams(Tap& tap, std::string& error);
  void stopStreams(Tap& tap);
  void destroyTap(Tap& tap, const std::string& crashDuring = "");
  void pauseIf(const char* point);
  void track(uint32_t module);
  void untrack(uint32_t module);
  void scanSinkInputs();
  void maybeTap(const pa_sink_input_info& info);

  static void onContextState(pa_context* c, void* self);
  static void onStreamState(pa_stream* s, void* self);
  static void onTapRead(pa_stream* s, size_t bytes, void* tap);
  static void onSubscribe(pa_context* c, pa_subscription_event_type_t t, uint32_t idx, void* self);
  static void onSinkInputInfo(pa_context* c, const pa_sink_input_info* i, int eol, void* self);
  static void onHeartbeat(pa_mainloop_api* api, pa_time_event* e, const struct timeval* tv, void* self);
  // Every 100 ms on the audio client thread: a late tick means the process did not run (frozen,
  // SIGSTOPped, paused in a debugger). The taps stay as they are; the bug switch re-creates them.
  static void onStallWatch(pa_mainloop_api* api, pa_time_event* e, const struct timeval* tv, void* self);
  void retapAfterStall();  // bug switch retap-on-thaw: new taps, the old ones left in place

  // The server connection failed or ended while running: on the audio client thread, so the work
  // goes to the reconnect thread (a tap is made with blocking waits on the audio thread).
  void connectionLost(const std::string& reason);
  void reconnectLoop();  // the reconnect thread: one reconnect per loss (or guardian death), until stop()
  void reconnect(const std::string& reason, int64_t lostUs);
  void forgetTaps();  // the server took every tap with it: nothing to destroy, only to forget
  bool tryConnect(int64_t deadlineUs, std::string& error);
  bool napUnlessStopping(int ms);  // false at once when stop() is called

  // The guardian's death is seen on the audio thread: its status pipe is one more descriptor in
  // the loop's poll, EOF the moment it exits (no polling of ours). The new guardian is started on
  // the reconnect thread (a start waits for "ready"), serialized with reconnects and joined by
  // stop(); it is swapped in and told every live tap under the loop lock, where taps are made.
  void watchGuardian();    // loop lock held; not under bug switch ignore-guardian-death
  void unwatchGuardian();  // loop lock held
  static void onGuardianStatus(pa_mainloop_api* api, pa_io_event* e, int fd, pa_io_event_flags_t f, void* self);
  void replaceGuardian(pid_t dead, int64_t seenUs);  // the reconnect thread

  struct ModuleEntry {
    uint32_t index;
    std::string argument;
  };
  std::vector<ModuleEntry> sweepScratch_;  // filled by the module-list callback

  TapEngineOptions options_;
  pa_threaded_mainloop* loop_ = nullptr;
  pa_context* context_ = nullptr;
  std::vector<std::unique_ptr<Tap>> taps_;
  uint32_t outputSinkIndex_ = PA_INVALID_INDEX;
  uint32_t ownClient_ = PA_INVALID_INDEX;
  std::set<uint32_t> movedInputs_;
  pa_time_event* heartbeat_ = nullptr;
  pa_usec_t heartbeatPeriod_ = 0;
  pa_time_event* stallWatch_ = nullptr;
  int64_t lastWatchUs_ = 0;
  std::thread retapThread_;  // off the audio thread: a tap is made with blocking waits on it
  std::thread reconnectThread_;  // started at the first loss, joined by stop()
  std::mutex reconnectMutex_;    // never held while taking the loop lock
  std::condition_variable reconnectCv_;
  bool reconnectWanted_ = false;  // reconnectMutex_
  std::string lostReason_;        // reconnectMutex_
  int64_t lostAtUs_ = 0;          // reconnectMutex_
  pid_t guardianDied_ = -1;       // reconnectMutex_: the guardian whose death was seen, not yet replaced
  int64_t guardianSeenUs_ = 0;    // reconnectMutex_
  pa_io_event* guardianWatch_ = nullptr;  // loop lock
  pid_t watchedGuardian_ = -1;            // loop lock
  std::atomic<bool> reconnecting_{false};  // addSecondaryTaps refuses meanwhile
  std::atomic<bool> stopping_{false};
  sigset_t startMask_{};  // the signal mask of the thread that called start()
  std::atomic<bool> running_{false};
  std::atomic<int> tapped_{0};
  bool stopped_ = false;
  bool paused_ = false;
};

}  // namespace hilt
