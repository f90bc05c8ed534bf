// TapEngine: the reference target. It taps other apps' audio the way FineTune does on macOS,
// with the Linux equivalents through libpulse (served by pipewire-pulse):
//   - a server-side null sink "hilt-engine-<pid>" is the tap (FineTune's aggregate device),
//   - streams playing on the output are moved into it (muted-when-tapped),
//   - the tap's monitor is read and played back into the output (audio flows through the engine),
//   - at start, tap sinks named hilt-engine-<pid> whose pid is dead are swept (orphans of a kill -9).
#pragma once

#include <pulse/pulseaudio.h>

#include <atomic>
#include <set>
#include <string>
#include <vector>

#include "bug_switches.h"

namespace hilt {

struct TapEngineOptions {
  std::string outputSink;    // the device the engine taps and plays back into
  std::string tapApp;        // only tap streams with this application.name ("" = any foreign stream)
  std::string clientName = "hilt-engine";
  BugSwitches bugs;
};

class TapEngine {
 public:
  TapEngine() = default;
  ~TapEngine();
  TapEngine(const TapEngine&) = delete;
  TapEngine& operator=(const TapEngine&) = delete;

  // Connects, sweeps orphans, creates the tap and starts the streams. Blocks until ready.
  // Returns false with a message in `error` (and leaves nothing behind) on failure.
  bool start(const TapEngineOptions& options, std::string& error);
  // Stops streams and destroys the tap; tapped streams fall back to the default device.
  // Idempotent; safe after a failed start.
  void stop();

  bool running() const { return running_.load(); }
  std::string tapName() const { return tapName_; }
  int tappedCount() const { return tapped_.load(); }

 private:
  // Everything below runs with the threaded mainloop lock held.
  bool waitFor(pa_operation* op);
  bool connect(std::string& error);
  int sweepOrphans();
  bool createTap(std::string& error);
  bool startStreams(std::string& error);
  void scanSinkInputs();
  void maybeTap(const pa_sink_input_info& info);
  void destroyTap();

  static void onContextState(pa_context* c, void* self);
  static void onStreamState(pa_stream* s, void* self);
  static void onTapRead(pa_stream* s, size_t bytes, void* self);
  static void onSubscribe(pa_context* c, pa_subscription_event_type_t t, uint32_t idx, void* self);
  static void onSinkInputInfo(pa_context* c, const pa_sink_input_info* i, int eol, void* self);

  struct ModuleEntry {
    uint32_t index;
    std::string argument;
  };
  std::vector<ModuleEntry> sweepScratch_;  // filled by the module-list callback

  TapEngineOptions options_;
  pa_threaded_mainloop* loop_ = nullptr;
  pa_context* context_ = nullptr;
  pa_stream* record_ = nullptr;
  pa_stream* playback_ = nullptr;
  uint32_t tapModule_ = PA_INVALID_INDEX;
  uint32_t tapSink_ = PA_INVALID_INDEX;
  uint32_t outputSinkIndex_ = PA_INVALID_INDEX;
  uint32_t ownClient_ = PA_INVALID_INDEX;
  std::string tapName_;
  std::set<uint32_t> movedInputs_;
  std::atomic<bool> running_{false};
  std::atomic<int> tapped_{0};
  bool stopped_ = false;
};

}  // namespace hilt
