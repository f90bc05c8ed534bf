// Node addon over the core engine: new Engine({ output, tapApp }), start(), close().
// close() is explicit and idempotent; the finalizer runs the same stop path, so an engine the
// garbage collector drops stops its audio thread before it is freed.
#include <napi.h>

#include <memory>

#include "bug_switches.h"
#include "tap_engine.h"

namespace {

class Engine : public Napi::ObjectWrap<Engine> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "Engine",
                       {InstanceMethod<&Engine::start>("start"), InstanceMethod<&Engine::close>("close"),
                        InstanceAccessor<&Engine::tapName>("tapName"),
                        InstanceAccessor<&Engine::closed>("closed")});
  }

  explicit Engine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Engine>(info) {
    if (info.Length() < 1 || !info[0].IsObject()) {
      throw Napi::TypeError::New(info.Env(), "new Engine(options): options { output: string } is required");
    }
    const auto opts = info[0].As<Napi::Object>();
    if (!opts.Get("output").IsString()) {
      throw Napi::TypeError::New(info.Env(), "new Engine(options): options.output must be the name of a sink");
    }
    options_.outputSink = opts.Get("output").As<Napi::String>();
    if (opts.Get("tapApp").IsString()) options_.tapApps.push_back(opts.Get("tapApp").As<Napi::String>());
    std::string error;
    if (!hilt::BugSwitches::fromEnv(options_.bugs, error)) throw Napi::Error::New(info.Env(), error);
  }

  ~Engine() override {
    if (engine_) engine_->stop();
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
    return info.Env().Undefined();
  }

  Napi::Value close(const Napi::CallbackInfo& info) {
    if (!closed_) {
      closed_ = true;
      if (engine_) engine_->stop();
      engine_.reset();
    }
    return info.Env().Undefined();
  }

  Napi::Value tapName(const Napi::CallbackInfo& info) {
    return engine_ ? Napi::String::New(info.Env(), engine_->tapNames()) : info.Env().Null();
  }

  Napi::Value closed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), closed_); }

  hilt::TapEngineOptions options_;
  std::unique_ptr<hilt::TapEngine> engine_;
  bool closed_ = false;
};

Napi::Value bugSwitches(const Napi::CallbackInfo& info) {
  const auto& names = hilt::knownBugSwitches();
  auto out = Napi::Array::New(info.Env(), names.size());
  for (size_t i = 0; i < names.size(); ++i) out.Set(static_cast<uint32_t>(i), names[i]);
  return out;
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports.Set("Engine", Engine::define(env));
  exports.Set("bugSwitches", Napi::Function::New(env, bugSwitches));
  return exports;
}

}  // namespace

NODE_API_MODULE(hilt_engine, init)
