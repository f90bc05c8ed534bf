#include "tap_engine.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <regex>
#include <vector>

#include "crash.h"
#include "crash_guard.h"
#include "guardian_link.h"
#include "log.h"
#include "pids.h"
#include "signal_safe.h"
#include "tracked_objects.h"

namespace hilt {

namespace {
constexpr pa_usec_t kStallWatchUs = 100 * 1000;  // the stall watch's period
constexpr int64_t kStallMs = 400;                // a tick this late is a stall, not scheduling noise
constexpr int64_t kReconnectUs = 10 * 1000 * 1000;  // how long a lost server is retried
constexpr int kRetryMs = 100;                       // between two connection attempts
constexpr int64_t kSinkWaitUs = 2 * 1000 * 1000;    // the output may appear a moment after the server answers
}  // namespace

namespace {

constexpr pa_sample_spec kSpec = {PA_SAMPLE_FLOAT32LE, 48000, 2};
constexpr const char* kPrefix = "hilt-engine-";

// Holds the threaded-mainloop lock for a scope.
class LoopLock {
 public:
  explicit LoopLock(pa_threaded_mainloop* m) : m_(m) { pa_threaded_mainloop_lock(m_); }
  ~LoopLock() { pa_threaded_mainloop_unlock(m_); }
  LoopLock(const LoopLock&) = delete;
  LoopLock& operator=(const LoopLock&) = delete;

 private:
  pa_threaded_mainloop* m_;
};

std::string contextError(pa_context* c) { return pa_strerror(pa_context_errno(c)); }

uint32_t bytesFor(double ms) {
  return static_cast<uint32_t>(pa_usec_to_bytes(static_cast<pa_usec_t>(ms * 1000), &kSpec));
}

// Tap names carry the app name; keep them to characters every tool prints unquoted.
std::string safeName(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  return out;
}

}  // namespace

TapEngine::~TapEngine() { stop(); }

bool TapEngine::waitFor(pa_operation* op) {
  if (!op) return false;
  while (pa_operation_get_state(op) == PA_OPERATION_RUNNING) pa_threaded_mainloop_wait(loop_);
  const bool done = pa_operation_get_state(op) == PA_OPERATION_DONE;
  pa_operation_unref(op);
  return done;
}

void TapEngine::onContextState(pa_context* c, void* userdata) {
  auto* self = static_cast<TapEngine*>(userdata);
  pa_threaded_mainloop_signal(self->loop_, 0);
  const pa_context_state_t s = pa_context_get_state(c);
  // A context still connecting is the reconnect thread's to watch; only the live one is lost.
  if (c != self->context_ || (s != PA_CONTEXT_FAILED && s != PA_CONTEXT_TERMINATED)) return;
  if (self->running_.load() && !self->stopping_.load()) self->connectionLost(contextError(c));
}

void TapEngine::onStreamState(pa_stream*, void* tap) {
  pa_threaded_mainloop_signal(static_cast<Tap*>(tap)->engine->loop_, 0);
}

pa_context* TapEngine::newContext() {
  pa_proplist* props = pa_proplist_new();
  pa_proplist_sets(props, PA_PROP_APPLICATION_NAME, options_.clientName.c_str());
  pa_proplist_sets(props, PA_PROP_APPLICATION_PROCESS_ID, std::to_string(getpid()).c_str());
  pa_context* c = pa_context_new_with_proplist(pa_threaded_mainloop_get_api(loop_), options_.clientName.c_str(), props);
  pa_proplist_free(props);
  pa_context_set_state_callback(c, &TapEngine::onContextState, this);
  return c;
}

bool TapEngine::connect(std::string& error) {
  context_ = newContext();
  if (pa_context_connect(context_, nullptr, PA_CONTEXT_NOAUTOSPAWN, nullptr) < 0) {
    error = "cannot connect to the audio server: " + contextError(context_);
    return false;
  }
  for (;;) {
    const pa_context_state_t s = pa_context_get_state(context_);
    if (s == PA_CONTEXT_READY) break;
    if (!PA_CONTEXT_IS_GOOD(s)) {
      error = "cannot connect to the audio server: " + contextError(context_) +
              " (is PULSE_SERVER or XDG_RUNTIME_DIR pointing at a running pipewire-pulse?)";
      return false;
    }
    pa_threaded_mainloop_wait(loop_);
  }
  ownClient_ = pa_context_get_index(context_);
  return true;
}

// The output's index: moves and the own-stream filter work on indexes.
bool TapEngine::findOutputSink() {
  auto onSink = [](pa_context*, const pa_sink_info* i, int eol, void* userdata) {
    auto* self = static_cast<TapEngine*>(userdata);
    if (eol == 0 && i) self->outputSinkIndex_ = i->index;
    pa_threaded_mainloop_signal(self->loop_, 0);
  };
  outputSinkIndex_ = PA_INVALID_INDEX;
  waitFor(pa_context_get_sink_info_by_name(context_, options_.outputSink.c_str(), onSink, this));
  return outputSinkIndex_ != PA_INVALID_INDEX;
}

// Destroys taps left by engines that died without cleaning up (kill -9 is uncatchable, and
// the guardian may be missing or dead too). Asks the server, never a list of our own: an object
// created in the instant before a kill is known only to the server.
int TapEngine::sweepOrphans() {
  std::vector<ModuleEntry> modules;
  auto onModule = [](pa_context*, const pa_module_info* i, int eol, void* userdata) {
    auto* self = static_cast<TapEngine*>(userdata);
    if (eol == 0 && i && i->name && std::strcmp(i->name, "module-null-sink") == 0 && i->argument) {
      self->sweepScratch_.push_back({i->index, i->argument});
    }
    pa_threaded_mainloop_signal(self->loop_, 0);
  };
  sweepScratch_.clear();
  waitFor(pa_context_get_module_info_list(context_, onModule, this));
  modules.swap(sweepScratch_);

  static const std::regex kName("sink_name=\"?(hilt-engine-([0-9]+)(-[A-Za-z0-9_.-]+)?)");
  int swept = 0;
  for (const auto& m : modules) {
    std::smatch match;
    if (!std::regex_search(m.argument, match, kName)) continue;
    const int pid = std::stoi(match[2].str());
    if (pid == getpid() || processAlive(pid)) continue;
    const std::string name = match[1].str();
    auto onDone = [](pa_context*, int, void* userdata) {
      pa_threaded_mainloop_signal(static_cast<TapEngine*>(userdata)->loop_, 0);
    };
    if (waitFor(pa_context_unload_module(context_, m.index, onDone, this))) {
      logLine("sweep: destroyed orphan " + name + " (module " + std::to_string(m.index) + ", creator pid " +
              std::to_string(pid) + " is dead)");
      ++swept;
    } else {
      logLine("sweep: could not destroy orphan " + name + ": " + contextError(context_));
    }
  }
  logLine("sweep: " + std::to_string(swept) + " orphan(s) destroyed");
  return swept;
}

// For kill-during-registration: stop dead at a chosen point so hilt can SIGKILL us exactly there.
void TapEngine::pauseIf(const char* point) {
  if (paused_ || options_.pauseAt != point) return;
  paused_ = true;
  logLine(std::string("pause: stopped at ") + point + " (HILT_ENGINE_PAUSE_AT)");
  raise(SIGSTOP);
  logLine(std::string("pause: continued after ") + point);
}

void TapEngine::track(uint32_t module) {
  if (!trackObject(module)) logLine("crashguard: table full, module " + std::to_string(module) + " not tracked");
  if (options_.guardian) options_.guardian->track(module);  // a no-op when none was started
}

void TapEngine::untrack(uint32_t module) {
  untrackObject(module);
  if (options_.guardian) options_.guardian->untrack(module);
}

bool TapEngine::createTap(Tap& tap, std::string& error) {
  // device.routes=1: WirePlumber 0.4 saves the volume of every sink without routes in the user's
  // state for good; a tap is gone when the engine is, so it must leave no line there.
  const std::string args = "sink_name=" + tap.name + " sink_properties='device.description=" + tap.name + " device.routes=1'";
  auto onIndex = [](pa_context*, uint32_t idx, void* userdata) {
    auto* t = static_cast<Tap*>(userdata);
    t->module = idx;
    pa_threaded_mainloop_signal(t->engine->loop_, 0);
  };
  pauseIf("before-create");
  if (!waitFor(pa_context_load_module(context_, "module-null-sink", args.c_str(), onIndex, &tap)) ||
      tap.module == PA_INVALID_INDEX) {
    error = "cannot create tap sink " + tap.name + ": " + contextError(context_);
    return false;
  }
  pauseIf("after-create");
  track(tap.module);
  pauseIf("after-track");
  logLine("tap: created " + tap.name + " (module " + std::to_string(tap.module) + ")");

  // Resolve sink indexes: moves and the own-stream filter work on indexes.
  struct Lookup {
    TapEngine* self;
    uint32_t* out;
  };
  auto onSink = [](pa_context*, const pa_sink_info* i, int eol, void* userdata) {
    auto* l = static_cast<Lookup*>(userdata);
    if (eol == 0 && i) *l->out = i->index;
    pa_threaded_mainloop_signal(l->self->loop_, 0);
  };
  Lookup sink{this, &tap.sink};
  waitFor(pa_context_get_sink_info_by_name(context_, tap.name.c_str(), onSink, &sink));
  if (tap.sink == PA_INVALID_INDEX) {
    error = "tap sink " + tap.name + " was created but the server does not list it";
    return false;
  }
  return true;
}

// A tap's read callback: whatever the tapped apps play comes back out on the output device.
void TapEngine::onTapRead(pa_stream* s, size_t, void* userdata) {
  auto* tap = static_cast<Tap*>(userdata);
  const void* data = nullptr;
  size_t n = 0;
  while (pa_stream_readable_size(s) > 0) {
    if (pa_stream_peek(s, &data, &n) < 0) return;
    if (n == 0) break;
    if (data && tap->playback && pa_stream_get_state(tap->playback) == PA_STREAM_READY) {
      pa_stream_write(tap->playback, data, n, nullptr, 0, PA_SEEK_RELATIVE);
    }
    pa_stream_drop(s);
  }
}

bool TapEngine::startStreams(Tap& tap, std::string& error) {
  tap.playback = pa_stream_new(context_, ("hilt-engine playback " + tap.name).c_str(), &kSpec, nullptr);
  tap.record = pa_stream_new(context_, ("hilt-engine tap " + tap.name).c_str(), &kSpec, nullptr);
  if (!tap.playback || !tap.record) {
    error = "cannot create streams: " + contextError(context_);
    return false;
  }
  pa_stream_set_state_callback(tap.playback, &TapEngine::onStreamState, &tap);
  pa_stream_set_state_callback(tap.record, &TapEngine::onStreamState, &tap);
  pa_stream_set_read_callback(tap.record, &TapEngine::onTapRead, &tap);

  // Small buffers: the tone must come back through the engine within a few quanta.
  pa_buffer_attr play{};
  play.maxlength = static_cast<uint32_t>(-1);
  play.tlength = bytesFor(40);
  play.prebuf = bytesFor(10);
  play.minreq = static_cast<uint32_t>(-1);
  play.fragsize = static_cast<uint32_t>(-1);
  pa_buffer_attr rec{};
  rec.maxlength = static_cast<uint32_t>(-1);
  rec.fragsize = bytesFor(10);

  const std::string monitor = tap.name + ".monitor";
  const auto flags = static_cast<pa_stream_flags_t>(PA_STREAM_ADJUST_LATENCY | PA_STREAM_DONT_MOVE);
  if (pa_stream_connect_playback(tap.playback, options_.outputSink.c_str(), &play, flags, nullptr, nullptr) < 0 ||
      pa_stream_connect_record(tap.record, monitor.c_str(), &rec, flags) < 0) {
    error = "cannot connect streams: " + contextError(context_);
    return false;
  }
  for (;;) {
    const pa_stream_state_t p = pa_stream_get_state(tap.playback);
    const pa_stream_state_t r = pa_stream_get_state(tap.record);
    if (p == PA_STREAM_READY && r == PA_STREAM_READY) return true;
    if (!PA_STREAM_IS_GOOD(p) || !PA_STREAM_IS_GOOD(r)) {
      error = "streams failed to start: " + contextError(context_);
      return false;
    }
    pa_threaded_mainloop_wait(loop_);
  }
}

void TapEngine::stopStreams(Tap& tap) {
  for (pa_stream** s : {&tap.record, &tap.playback}) {
    if (!*s) continue;
    pa_stream_set_read_callback(*s, nullptr, nullptr);
    pa_stream_set_state_callback(*s, nullptr, nullptr);
    pa_stream_disconnect(*s);
    pa_stream_unref(*s);
    *s = nullptr;
  }
}

void TapEngine::maybeTap(const pa_sink_input_info& info) {
  if (!running_.load() || info.sink != outputSinkIndex_ || info.client == ownClient_) return;
  if (movedInputs_.count(info.index)) return;
  const char* app = pa_proplist_gets(info.proplist, PA_PROP_APPLICATION_NAME);
  const char* pid = pa_proplist_gets(info.proplist, PA_PROP_APPLICATION_PROCESS_ID);
  if (pid && std::to_string(getpid()) == pid) return;
  Tap* target = nullptr;
  for (auto& t : taps_) {
    if (!t->secondary && t->sink != PA_INVALID_INDEX && (t->app.empty() || (app && t->app == app))) target = t.get();
  }
  if (!target) return;
  movedInputs_.insert(info.index);
  // Fire and forget: we are inside a callback and must not block the mainloop thread.
  pa_operation* op = pa_context_move_sink_input_by_index(context_, info.index, target->sink, nullptr, nullptr);
  if (op) pa_operation_unref(op);
  tapped_.fetch_add(1);
  logLine("tap: moved stream " + std::to_string(info.index) + " (" + (app ? app : "?") + ") into " + target->name);
}

void TapEngine::onSinkInputInfo(pa_context*, const pa_sink_input_info* i, int eol, void* userdata) {
  auto* self = static_cast<TapEngine*>(userdata);
  if (eol == 0 && i) self->maybeTap(*i);
}

void TapEngine::onSubscribe(pa_context* c, pa_subscription_event_type_t t, uint32_t idx, void* userdata) {
  auto* self = static_cast<TapEngine*>(userdata);
  const auto kind = t & PA_SUBSCRIPTION_EVENT_TYPE_MASK;
  if (kind == PA_SUBSCRIPTION_EVENT_REMOVE) {
    if (self->movedInputs_.erase(idx)) self->tapped_.fetch_sub(1);
    return;
  }
  pa_operation* op = pa_context_get_sink_input_info(c, idx, &TapEngine::onSinkInputInfo, self);
  if (op) pa_operation_unref(op);
}

void TapEngine::scanSinkInputs() {
  pa_operation* op = pa_context_get_sink_input_info_list(context_, &TapEngine::onSinkInputInfo, this);
  if (op) pa_operation_unref(op);
}

bool TapEngine::start(const TapEngineOptions& options, std::string& error) {
  if (loop_) {
    error = "engine already started";
    return false;
  }
  options_ = options;
  pthread_sigmask(SIG_BLOCK, nullptr, &startMask_);
  loop_ = pa_threaded_mainloop_new();
  if (!loop_) {
    error = "cannot create the audio client thread";
    return false;
  }
  pa_threaded_mainloop_set_name(loop_, "hilt-audio");
  if (pa_threaded_mainloop_start(loop_) < 0) {
    error = "cannot start the audio client thread";
    return false;
  }
  // libpulse's thread blocks every signal: a fault there would bypass the crash guard. It is not
  // ours, so its alternate stack is set up from inside it too.
  runOnAudioThread(&unblockCrashSignalsOnThisThread);
  bool ok = false;
  {
    LoopLock lock(loop_);
    ok = connect(error);
    if (ok && options_.onConnected) ok = options_.onConnected(pa_context_get_server(context_), error);
    if (ok) {
      watchGuardian();
      if (options_.bugs.noSweep) {
        logLine("sweep: skipped (bug switch no-sweep)");
      } else {
        sweepOrphans();
      }
      if (!findOutputSink()) {
        error = "output sink '" + options_.outputSink + "' does not exist on the audio server";
        ok = false;
      }
    }
    const std::string base = std::string(kPrefix) + std::to_string(getpid()) +
                             (options_.instanceTag.empty() ? "" : "-" + safeName(options_.instanceTag));
    const std::vector<std::string> apps = options_.tapApps.empty() ? std::vector<std::string>{""} : options_.tapApps;
    for (const auto& app : apps) {
      if (!ok) break;
      auto tap = std::make_unique<Tap>();
      tap->engine = this;
      tap->app = app;
      tap->name = app.empty() ? base : base + "-" + safeName(app);
      taps_.push_back(std::move(tap));
      ok = createTap(*taps_.back(), error) && startStreams(*taps_.back(), error);
    }
    if (ok) {
      running_.store(true);
      lastWatchUs_ = monotonicMicros();
      stallWatch_ = pa_context_rttime_new(context_, pa_rtclock_now() + kStallWatchUs, &TapEngine::onStallWatch, this);
      pa_context_set_subscribe_callback(context_, &TapEngine::onSubscribe, this);
      pa_operation* op = pa_context_subscribe(context_, PA_SUBSCRIPTION_MASK_SINK_INPUT, nullptr, nullptr);
      if (op) pa_operation_unref(op);
      scanSinkInputs();
    }
  }
  if (!ok) {
    logLine("start failed: " + error);
    stop();
  }
  return ok;
}

bool TapEngine::addSecondaryTaps(std::string& error) {
  if (!running_.load()) {
    error = "engine is not running";
    return false;
  }
  LoopLock lock(loop_);
  if (reconnecting_.load()) {
    error = "engine is reconnecting to the audio server";
    return false;
  }
  std::vector<std::string> wanted;
  for (const auto& t : taps_) {
    const std::string name = t->name + "-secondary";
    bool exists = false;
    for (const auto& u : taps_) exists = exists || u->name == name;
    if (!t->secondary && !exists) wanted.push_back(name);
  }
  for (const auto& name : wanted) {
    auto tap = std::make_unique<Tap>();
    tap->engine = this;
    tap->name = name;
    tap->secondary = true;
    taps_.push_back(std::move(tap));
    if (!createTap(*taps_.back(), error)) return false;
  }
  return true;
}

// Untrack before destroy: if we crash inside the destroy, the crash guard must not destroy the
// object a second time (by then its index may belong to another app's object).
void TapEngine::destroyTap(Tap& tap, const std::string& crashDuring) {
  stopStreams(tap);
  if (tap.module == PA_INVALID_INDEX) return;
  const uint32_t module = tap.module;
  tap.module = PA_INVALID_INDEX;
  if (!options_.bugs.destroyBeforeUntrack) untrack(module);
  auto onDone = [](pa_context*, int, void* userdata) {
    pa_threaded_mainloop_signal(static_cast<TapEngine*>(userdata)->loop_, 0);
  };
  const bool ok = waitFor(pa_context_unload_module(context_, module, onDone, this));
  logLine(ok ? "tap: destroyed " + tap.name + " (module " + std::to_string(module) + ")"
             : "tap: could not destroy " + tap.name + ": " + contextError(context_));
  if (!crashDuring.empty()) crashNow(crashDuring);  // still inside the destroy path
  if (options_.bugs.destroyBeforeUntrack) untrack(module);
}

void TapEngine::removeSecondaryTaps(const std::string& crashDuring) {
  if (!loop_) return;
  LoopLock lock(loop_);
  for (auto it = taps_.begin(); it != taps_.end();) {
    if ((*it)->secondary) {
      destroyTap(**it, crashDuring);
      it = taps_.erase(it);
    } else {
      ++it;
    }
  }
}

void TapEngine::runOnAudioThread(std::function<void()> fn) {
  if (!loop_) return;
  auto* job = new std::function<void()>(std::move(fn));
  LoopLock lock(loop_);
  pa_mainloop_api_once(
      pa_threaded_mainloop_get_api(loop_),
      [](pa_mainloop_api*, void* userdata) {
        std::unique_ptr<std::function<void()>> f(static_cast<std::function<void()>*>(userdata));
        (*f)();
      },
      job);
}

void TapEngine::startHeartbeat(int periodMs) {
  if (!loop_ || !context_ || periodMs <= 0 || heartbeat_) return;
  LoopLock lock(loop_);
  heartbeatPeriod_ = static_cast<pa_usec_t>(periodMs) * 1000;
  heartbeat_ = pa_context_rttime_new(context_, pa_rtclock_now() + heartbeatPeriod_, &TapEngine::onHeartbeat, this);
}

// Re-armed from now, not from the missed deadline: after a stall the next line comes one period
// later, not as a burst, so the gap hilt measures is the stall itself.
void TapEngine::onHeartbeat(pa_mainloop_api*, pa_time_event* e, const struct timeval*, void* userdata) {
  auto* self = static_cast<TapEngine*>(userdata);
  char line[64];
  std::snprintf(line, sizeof line, "heartbeat audio t=%.1f", static_cast<double>(monotonicMicros()) / 1000.0);
  logLine(line);
  pa_context_rttime_restart(self->context_, e, pa_rtclock_now() + self->heartbeatPeriod_);
}

void TapEngine::onStallWatch(pa_mainloop_api*, pa_time_event* e, const struct timeval*, void* userdata) {
  auto* self = static_cast<TapEngine*>(userdata);
  const int64_t now = monotonicMicros();
  const int64_t lateMs = (now - self->lastWatchUs_ - static_cast<int64_t>(kStallWatchUs)) / 1000;
  self->lastWatchUs_ = now;
  if (lateMs >= kStallMs) {
    if (self->options_.bugs.retapOnThaw && !self->retapThread_.joinable()) {
      logLine("stall: the audio loop did not run for " + std::to_string(lateMs) + " ms; re-creating the taps (bug switch retap-on-thaw)");
      self->retapThread_ = std::thread([self] { self->retapAfterStall(); });
    } else {
      logLine("stall: the audio loop did not run for " + std::to_string(lateMs) + " ms (frozen, stopped or in a debugger); taps kept");
    }
  }
  pa_context_rttime_restart(self->context_, e, pa_rtclock_now() + kStallWatchUs);
}

void TapEngine::retapAfterStall() {
  installAltStackOnThisThread();
  LoopLock lock(loop_);
  std::vector<std::string> names;
  for (const auto& t : taps_)
    if (!t->secondary) names.push_back(t->name);
  for (const auto& name : names) {
    auto tap = std::make_unique<Tap>();
    tap->engine = this;
    tap->name = name + "-thaw";
    taps_.push_back(std::move(tap));
    std::string error;
    if (!createTap(*taps_.back(), error) || !startStreams(*taps_.back(), error)) logLine("stall: re-tap failed: " + error);
  }
}

// Server restart: the modules went with the old server, so they are forgotten (untracked, not
// destroyed); the primaries are made again under the same names on the new one.
void TapEngine::connectionLost(const std::string& reason) {
  if (options_.bugs.noReconnect) {
    logLine("server: connection lost (" + reason + "); not reconnecting (bug switch no-reconnect)");
    return;
  }
  if (!reconnectThread_.joinable()) reconnectThread_ = std::thread([this] { reconnectLoop(); });
  {
    std::lock_guard<std::mutex> guard(reconnectMutex_);
    reconnectWanted_ = true;
    lostReason_ = reason;
    lostAtUs_ = monotonicMicros();
  }
  reconnectCv_.notify_all();
}

bool TapEngine::napUnlessStopping(int ms) {
  std::unique_lock<std::mutex> guard(reconnectMutex_);
  return !reconnectCv_.wait_for(guard, std::chrono::milliseconds(ms), [this] { return stopping_.load(); });
}

void TapEngine::reconnectLoop() {
  pthread_setname_np(pthread_self(), "hilt-reconnect");
  installAltStackOnThisThread();
  // Not libpulse's block-everything mask (inherited from the audio thread): the guardian it spawns inherits it.
  pthread_sigmask(SIG_SETMASK, &startMask_, nullptr);
  for (;;) {
    std::string reason;
    int64_t lostUs = 0;
    pid_t deadGuardian = -1;
    int64_t seenUs = 0;
    {
      std::unique_lock<std::mutex> guard(reconnectMutex_);
      reconnectCv_.wait(guard, [this] { return stopping_.load() || reconnectWanted_ || guardianDied_ > 0; });
      if (stopping_.load()) return;
      if (reconnectWanted_) {
        reconnectWanted_ = false;
        guardianDied_ = -1;  // a reconnect starts a new guardian anyway
        reason = lostReason_;
        lostUs = lostAtUs_;
      } else {
        deadGuardian = guardianDied_;
        seenUs = guardianSeenUs_;
        guardianDied_ = -1;
      }
    }
    if (deadGuardian > 0) {
      replaceGuardian(deadGuardian, seenUs);
    } else {
      reconnect(reason, lostUs);
    }
  }
}

void TapEngine::watchGuardian() {
  unwatchGuardian();
  GuardianLink* g = options_.guardian;
  if (!g || !g->running() || g->statusFd() < 0 || options_.bugs.ignoreGuardianDeath) return;
  pa_mainloop_api* api = pa_threaded_mainloop_get_api(loop_);
  watchedGuardian_ = g->pid();
  guardianWatch_ = api->io_new(api, g->statusFd(), static_cast<pa_io_event_flags_t>(PA_IO_EVENT_INPUT | PA_IO_EVENT_HANGUP),
                               &TapEngine::onGuardianStatus, this);
}

void TapEngine::unwatchGuardian() {
  if (guardianWatch_) pa_threaded_mainloop_get_api(loop_)->io_free(guardianWatch_);
  guardianWatch_ = nullptr;
  watchedGuardian_ = -1;
}

void TapEngine::onGuardianStatus(pa_mainloop_api*, pa_io_event*, int fd, pa_io_event_flags_t, void* userdata) {
  auto* self = static_cast<TapEngine*>(userdata);
  char buf[256];
  const ssize_t n = read(fd, buf, sizeof buf);
  if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR))) return;  // a status line, not the end
  const int64_t seenUs = monotonicMicros();
  const pid_t dead = self->watchedGuardian_;
  self->unwatchGuardian();  // its own event: libpulse allows freeing it in its callback
  if (self->stopping_.load()) return;
  // stop() passes the loop lock (held here) before it joins: a thread started now is joined.
  if (!self->reconnectThread_.joinable()) self->reconnectThread_ = std::thread([self] { self->reconnectLoop(); });
  {
    std::lock_guard<std::mutex> guard(self->reconnectMutex_);
    self->guardianDied_ = dead;
    self->guardianSeenUs_ = seenUs;
  }
  self->reconnectCv_.notify_all();
}

void TapEngine::replaceGuardian(pid_t dead, int64_t seenUs) {
  GuardianLink* g = options_.guardian;
  // Only this thread, and stop() after joining it, change the link's pid: read without the lock.
  if (!g || g->pid() != dead) return;  // a reconnect has replaced it meanwhile
  const std::string how = g->reapDead(500);
  const std::string who = "guardian: pid " + std::to_string(dead) + " died" + (how.empty() ? "" : " (" + how + ")");
  GuardianLink fresh;  // declared before the lock: if unused, it says goodbye after the lock is released
  std::string error;
  // Outside the loop lock: the start waits for "ready" while the audio thread keeps running.
  const bool started = !stopping_.load() && fresh.startReplacement(*g, 3000, error);
  LoopLock lock(loop_);
  if (stopping_.load()) {
    g->drop();
    return;
  }
  if (!started) {
    g->drop();
    logLine(who + "; running without a guardian: " + error);
    return;
  }
  std::vector<uint32_t> live;
  for (const auto& t : taps_)
    if (t->module != PA_INVALID_INDEX) live.push_back(t->module);
  g->adopt(fresh, live);
  watchGuardian();
  char took[32];
  std::snprintf(took, sizeof took, "%.1f", static_cast<double>(monotonicMicros() - seenUs) / 1000.0);
  logLine(who + "; started pid " + std::to_string(g->pid()) + ", tracking " + std::to_string(live.size()) +
          " object(s) in " + took + " ms");
}

void TapEngine::forgetTaps() {
  for (auto it = taps_.begin(); it != taps_.end();) {
    Tap& t = **it;
    stopStreams(t);
    if (t.module != PA_INVALID_INDEX) untrack(t.module);
    t.module = PA_INVALID_INDEX;
    t.sink = PA_INVALID_INDEX;
    it = t.secondary ? taps_.erase(it) : it + 1;
  }
  movedInputs_.clear();
  tapped_.store(0);
  outputSinkIndex_ = PA_INVALID_INDEX;
}

// One attempt on a fresh context, polled so stop() is never kept waiting on the server; once
// ready it replaces context_ under the same lock (the timers restart on context_: never null).
bool TapEngine::tryConnect(int64_t deadlineUs, std::string& error) {
  pa_context* fresh = nullptr;
  {
    LoopLock lock(loop_);
    fresh = newContext();
    if (pa_context_connect(fresh, nullptr, PA_CONTEXT_NOAUTOSPAWN, nullptr) < 0) error = contextError(fresh);
  }
  for (bool connecting = error.empty(); connecting; connecting = napUnlessStopping(10)) {
    LoopLock lock(loop_);
    const pa_context_state_t s = pa_context_get_state(fresh);
    if (s == PA_CONTEXT_READY) {
      pa_context* old = context_;
      context_ = fresh;
      ownClient_ = pa_context_get_index(context_);
      pa_context_set_state_callback(old, nullptr, nullptr);
      pa_context_set_subscribe_callback(old, nullptr, nullptr);
      pa_context_disconnect(old);
      pa_context_unref(old);
      return true;
    }
    if (!PA_CONTEXT_IS_GOOD(s)) {
      error = contextError(fresh);
      break;
    }
    if (monotonicMicros() >= deadlineUs) {
      error = "no answer from the audio server";
      break;
    }
  }
  LoopLock lock(loop_);
  pa_context_set_state_callback(fresh, nullptr, nullptr);
  pa_context_disconnect(fresh);
  pa_context_unref(fresh);
  if (error.empty()) error = "stopped";
  return false;
}

void TapEngine::reconnect(const std::string& reason, int64_t lostUs) {
  logLine("server: connection lost (" + reason + "); reconnecting");
  std::vector<Tap*> primaries;  // stable: only stop() removes a primary, after joining this thread
  {
    LoopLock lock(loop_);
    reconnecting_.store(true);
    unwatchGuardian();  // the guardian is replaced below: its goodbye's EOF is no death
    forgetTaps();
    for (const auto& t : taps_) primaries.push_back(t.get());
  }
  auto elapsed = [lostUs] { return std::to_string((monotonicMicros() - lostUs) / 1000) + " ms"; };
  auto fail = [&](const std::string& why) {
    reconnecting_.store(false);
    logLine("server: reconnect failed after " + elapsed() + ": " + why);
  };
  std::string error;
  bool connected = false;
  for (;;) {
    error.clear();
    connected = tryConnect(lostUs + kReconnectUs, error);
    if (connected || monotonicMicros() >= lostUs + kReconnectUs || !napUnlessStopping(kRetryMs)) break;
  }
  if (stopping_.load()) return;
  if (!connected) return fail("cannot connect to the audio server: " + error);
  // Outside the loop lock: a guardian takes a while to start, and the audio thread keeps running.
  std::string server;
  {
    LoopLock lock(loop_);
    const char* name = pa_context_get_server(context_);
    server = name ? name : "";
  }
  if (options_.onReconnected && !options_.onReconnected(server, error)) return fail(error);
  {
    LoopLock lock(loop_);
    watchGuardian();
  }
  const int64_t sinkDeadline = monotonicMicros() + kSinkWaitUs;
  for (;;) {
    {
      LoopLock lock(loop_);
      if (findOutputSink()) break;
    }
    if (monotonicMicros() >= sinkDeadline || !napUnlessStopping(kRetryMs)) {
      if (stopping_.load()) return;
      return fail("output sink '" + options_.outputSink + "' does not exist on the audio server");
    }
  }
  LoopLock lock(loop_);
  std::string names;
  for (Tap* t : primaries) {
    if (stopping_.load()) return;
    if (!createTap(*t, error) || !startStreams(*t, error)) return fail(error);
    names += (names.empty() ? "" : ",") + t->name;
  }
  pa_context_set_subscribe_callback(context_, &TapEngine::onSubscribe, this);
  pa_operation* op = pa_context_subscribe(context_, PA_SUBSCRIPTION_MASK_SINK_INPUT, nullptr, nullptr);
  if (op) pa_operation_unref(op);
  scanSinkInputs();
  reconnecting_.store(false);
  logLine("server: reconnected after " + elapsed() + "; taps re-created: " + names);
}

std::string TapEngine::tapNames() const {
  if (loop_) pa_threaded_mainloop_lock(loop_);  // the reconnect thread may be dropping secondaries
  std::string out;
  for (const auto& t : taps_) out += (out.empty() ? "" : ",") + t->name;
  if (loop_) pa_threaded_mainloop_unlock(loop_);
  return out;
}

void TapEngine::stop() {
  if (stopped_ || !loop_) return;
  stopped_ = true;
  {
    std::lock_guard<std::mutex> guard(reconnectMutex_);
    stopping_.store(true);
  }
  reconnectCv_.notify_all();
  running_.store(false);
  // A state callback that began before stopping_ was set has started its thread once this returns.
  { LoopLock lock(loop_); }
  if (retapThread_.joinable()) retapThread_.join();  // it takes the loop lock: joined before we do
  if (reconnectThread_.joinable()) reconnectThread_.join();  // the same
  {
    LoopLock lock(loop_);
    if (heartbeat_) {
      pa_threaded_mainloop_get_api(loop_)->time_free(heartbeat_);
      heartbeat_ = nullptr;
    }
    if (stallWatch_) {
      pa_threaded_mainloop_get_api(loop_)->time_free(stallWatch_);
      stallWatch_ = nullptr;
    }
    unwatchGuardian();  // the host's stop of the guardian that follows is a goodbye, not a death
    if (context_) pa_context_set_subscribe_callback(context_, nullptr, nullptr);
    const bool connected = context_ && pa_context_get_state(context_) == PA_CONTEXT_READY;
    // Secondaries first, as FineTune tears down a crossfade before its primary.
    for (bool secondary : {true, false}) {
      for (auto& t : taps_) {
        if (t->secondary != secondary) continue;
        if (connected) {
          destroyTap(*t);
        } else {
          stopStreams(*t);
        }
      }
    }
    taps_.clear();
    if (context_) {
      pa_context_set_state_callback(context_, nullptr, nullptr);
      pa_context_disconnect(context_);
      pa_context_unref(context_);
      context_ = nullptr;
    }
  }
  pa_threaded_mainloop_stop(loop_);
  pa_threaded_mainloop_free(loop_);
  loop_ = nullptr;
  logLine("stopped");
}

}  // namespace hilt
