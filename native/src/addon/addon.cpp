// Node addon over the core engine: new Engine({ output, tapApp, onTick }), start(), close().
// numchuck's lesson (docs/postmortems.md#1): an engine freed by the garbage collector while its
// threads run dies with an access violation. So every way an engine can end (close(), the GC's
// finalizer, the environment's cleanup hook at exit or worker termination) runs one ordered
// shutdown: request stop, join the threads, release the JS callback, destroy the tap, then free.
// Each step is written to stderr as a lifecycle line hilt reads to check that order.
#include <napi.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "bug_switches.h"
#include "log.h"
#include "registry.h"
#include "signal_safe.h"
#include "tap_engine.h"

namespace {

// "hilt-addon[pid] +12.3ms engine#4 threads-joined": one write(2), safe inside a finalizer.
void lifecycle(uint32_t id, const char* event, const char* detail = nullptr) {
  hilt::SafeLine line;
  hilt::logPrefix(line, "hilt-addon").str("engine#").num(id).str(" ").str(event);
  if (detail) line.str(" (").str(detail).str(")");
  line.writeTo(STDERR_FILENO);
}

// What the VM thread (ChucK's VM) works on. Freed only once the thread has stopped, except
// under the bug switch gc-free-while-running, which frees it under the running thread.
struct VmState {
  std::mutex mutex;
  std::condition_variable wake;
  bool stop = false;
  uint64_t ticks = 0;
  std::vector<double> meter = std::vector<double>(256, 0.0);
  bool hasCallback = false;
  Napi::ThreadSafeFunction onTick;
  int slot = -1;  // in the process-wide registry
};

void vmLoop(VmState* s) {
  pthread_setname_np(pthread_self(), "hilt-vm");
  std::unique_lock<std::mutex> lock(s->mutex);
  while (!s->stop) {
    s->wake.wait_for(lock, std::chrono::milliseconds(2));  // one VM tick per ~2 ms audio block
    ++s->ticks;
    for (auto& x : s->meter) x = x * 0.5 + 1.0;  // touches the state's heap every tick
    hilt::registry().beat(s->slot, s->ticks);
    if (s->hasCallback && s->ticks % 50 == 0) {
      auto* n = new uint64_t(s->ticks);
      if (s->onTick.NonBlockingCall(n, [](Napi::Env env, Napi::Function cb, uint64_t* t) {
            std::unique_ptr<uint64_t> own(t);
            if (!env || !cb) return;  // the queue is drained after JS can no longer run
            // A tick delivered while the environment is going down cannot run JS; dropping it
            // is right, throwing through the runtime would abort the process at exit.
            try {
              cb.Call({Napi::Number::New(env, static_cast<double>(*t))});
            } catch (const Napi::Error&) {
            }
          }) != napi_ok) {
        delete n;
      }
    }
  }
}

class Engine;

// Per environment (main thread or worker): the engines still alive, for the cleanup hook.
struct AddonData {
  std::set<Engine*> live;
  hilt::BugSwitches bugs;
};

std::atomic<uint32_t> gNextId{0};

class Engine : public Napi::ObjectWrap<Engine>, public hilt::StopAtExit {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "Engine",
                       {InstanceMethod<&Engine::start>("start"), InstanceMethod<&Engine::close>("close"),
                        InstanceAccessor<&Engine::tapName>("tapName"), InstanceAccessor<&Engine::closed>("closed"),
                        InstanceAccessor<&Engine::id>("id"), InstanceAccessor<&Engine::ticks>("ticks")});
  }

  explicit Engine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Engine>(info), id_(++gNextId) {
    if (info.Length() < 1 || !info[0].IsObject()) {
      throw Napi::TypeError::New(info.Env(), "new Engine(options): options { output: string } is required");
    }
    const auto opts = info[0].As<Napi::Object>();
    if (!opts.Get("output").IsString()) {
      throw Napi::TypeError::New(info.Env(), "new Engine(options): options.output must be the name of a sink");
    }
    options_.outputSink = opts.Get("output").As<Napi::String>();
    if (opts.Get("tapApp").IsString()) options_.tapApps.push_back(opts.Get("tapApp").As<Napi::String>());
    if (opts.Has("onTick") && !opts.Get("onTick").IsFunction() && !opts.Get("onTick").IsUndefined()) {
      throw Napi::TypeError::New(info.Env(), "new Engine(options): options.onTick must be a function");
    }
    if (opts.Get("onTick").IsFunction()) onTick_ = Napi::Persistent(opts.Get("onTick").As<Napi::Function>());
    data_ = info.Env().GetInstanceData<AddonData>();
    options_.bugs = data_->bugs;
    options_.instanceTag = "e" + std::to_string(id_);
    data_->live.insert(this);
    lifecycle(id_, "created");
  }

  ~Engine() override {
    data_->live.erase(this);
    if (!closed_ && vm_ && options_.bugs.gcFreeWhileRunning) {
      // The seed bug: free the state while the VM thread still runs on it.
      lifecycle(id_, "freed-while-running", "bug switch gc-free-while-running");
      hilt::registry().remove(slot_);
      vmThread_.detach();
      delete vm_;
      vm_ = nullptr;
    } else {
      shutdown("finalizer");
    }
    lifecycle(id_, "freed");
  }

  // process.exit() and uncaught exceptions skip the cleanup hooks; exit() calls this instead.
  void stopAtExit() override { shutdown("process exit", true); }

  // The one ordered shutdown; idempotent. Public for the environment's cleanup hook.
  // runtimeGone: called from exit(), after Node disposed its platform, so no napi call is made.
  void shutdown(const char* why, bool runtimeGone = false) {
    if (closed_) return;
    closed_ = true;
    lifecycle(id_, "stop-requested", why);
    if (vm_) {
      {
        std::lock_guard<std::mutex> lock(vm_->mutex);
        vm_->stop = true;
      }
      vm_->wake.notify_all();
      if (vmThread_.joinable()) vmThread_.join();
      lifecycle(id_, "threads-joined");
      if (vm_->hasCallback && !runtimeGone) vm_->onTick.Release();
    }
    if (engine_) {
      engine_->stop();
      engine_.reset();
      lifecycle(id_, "tap-destroyed");
    }
    hilt::registry().remove(slot_);
    slot_ = -1;
    delete vm_;
    vm_ = nullptr;
  }

 private:
  void requireOpen(const Napi::Env& env, const char* what) {
    if (closed_) throw Napi::Error::New(env, std::string("Engine.") + what + "() called after close()");
  }

  Napi::Value start(const Napi::CallbackInfo& info) {
    requireOpen(info.Env(), "start");
    if (engine_) throw Napi::Error::New(info.Env(), "Engine.start() called twice");
    engine_ = std::make_unique<hilt::TapEngine>();
    std::string error;
    if (!engine_->start(options_, error)) {
      engine_.reset();
      throw Napi::Error::New(info.Env(), "Engine.start() failed: " + error);
    }
    vm_ = new VmState();
    slot_ = hilt::registry().add(this);
    vm_->slot = slot_;
    if (!onTick_.IsEmpty()) {
      vm_->hasCallback = true;
      vm_->onTick = Napi::ThreadSafeFunction::New(info.Env(), onTick_.Value(), "hilt-engine onTick", 0, 1);
      vm_->onTick.Unref(info.Env());  // a live engine must not keep the process from exiting
    }
    vmThread_ = std::thread(vmLoop, vm_);
    lifecycle(id_, "started", engine_->tapNames().c_str());
    return info.Env().Undefined();
  }

  Napi::Value close(const Napi::CallbackInfo& info) {
    shutdown("close");
    return info.Env().Undefined();
  }

  Napi::Value tapName(const Napi::CallbackInfo& info) {
    return engine_ ? Napi::String::New(info.Env(), engine_->tapNames()) : info.Env().Null();
  }
  Napi::Value closed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), closed_); }
  Napi::Value id(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), id_); }
  Napi::Value ticks(const Napi::CallbackInfo& info) {
    if (!vm_) return Napi::Number::New(info.Env(), 0);
    std::lock_guard<std::mutex> lock(vm_->mutex);
    return Napi::Number::New(info.Env(), static_cast<double>(vm_->ticks));
  }

  const uint32_t id_;
  AddonData* data_ = nullptr;
  hilt::TapEngineOptions options_;
  std::unique_ptr<hilt::TapEngine> engine_;
  Napi::FunctionReference onTick_;
  VmState* vm_ = nullptr;
  std::thread vmThread_;
  int slot_ = -1;
  bool closed_ = false;
};

Napi::Value bugSwitches(const Napi::CallbackInfo& info) {
  const auto& names = hilt::knownBugSwitches();
  auto out = Napi::Array::New(info.Env(), names.size());
  for (size_t i = 0; i < names.size(); ++i) out.Set(static_cast<uint32_t>(i), names[i]);
  return out;
}

// Engine objects of this environment the collector has not finalized yet: what a program waits
// on after dropping them.
Napi::Value liveEngines(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(info.Env().GetInstanceData<AddonData>()->live.size()));
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  std::string error;
  if (!hilt::BugSwitches::fromEnv(data->bugs, error)) {
    delete data;
    throw Napi::Error::New(env, error);
  }
  env.SetInstanceData(data);  // deleted by Node when this environment goes
  hilt::installExitHandler(data->bugs.staticRegistryAfterExit);
  // Engines still alive when the environment is torn down (process exit, worker terminated)
  // are stopped here, while the runtime is still whole.
  if (!data->bugs.noCleanupHook) {
    env.AddCleanupHook([data] {
      const std::set<Engine*> live = data->live;
      for (Engine* e : live) e->shutdown("cleanup hook");
    });
  }
  exports.Set("Engine", Engine::define(env));
  exports.Set("bugSwitches", Napi::Function::New(env, bugSwitches));
  exports.Set("liveEngines", Napi::Function::New(env, liveEngines));
  return exports;
}

}  // namespace

NODE_API_MODULE(hilt_engine, init)
