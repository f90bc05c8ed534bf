#include "midi_startup.h"

#include <pthread.h>

#include <chrono>
#include <cstdio>
#include <system_error>

#include "crash_guard.h"
#include "log.h"
#include "midi_link.h"
#include "signal_safe.h"

namespace hilt {

namespace {

std::string msSince(int64_t micros) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(monotonicMicros() - micros) / 1000.0);
  return buf;
}

std::string connectedLine(int64_t requestedMicros, const MidiLink& link) {
  return "midi: connected in " + msSince(requestedMicros) + " ms in=" + link.inPort() + " out=" + link.outPort();
}

}  // namespace

// One start, shared by the supervisor and its init thread: the init thread's reference keeps it
// alive however long jack_client_open holds that thread. `cancelled` is written under both
// MidiStartup::mutex_ and `mutex`, so either lock is enough to read it.
struct MidiStartup::Attempt {
  int64_t requestedMicros = 0;
  std::mutex mutex;
  std::condition_variable cv;
  bool returned = false;   // the init thread's open() returned
  bool cancelled = false;  // stop() or exit: the supervisor stops waiting
  bool abandoned = false;  // nobody takes the result: the init thread closes what it opened
  std::unique_ptr<MidiLink> link;
  std::string error;
};

MidiStartup::MidiStartup(MidiStartupOptions options) : options_(std::move(options)) {
  supervisor_ = std::thread([this] { supervise(); });
}

MidiStartup::~MidiStartup() { shutdown(); }

void MidiStartup::initThread(std::shared_ptr<Attempt> attempt, std::string clientName) {
  pthread_setname_np(pthread_self(), "hilt-midi-init");
  installAltStackOnThisThread();  // JACK's open runs here: it can crash like any other thread
  std::string error;
  std::unique_ptr<MidiLink> link = MidiLink::open(clientName, error);
  std::unique_lock<std::mutex> lock(attempt->mutex);
  attempt->returned = true;
  if (attempt->abandoned) {
    lock.unlock();
    if (link) {
      link->close();
      logLine("midi: late connection after the start was given up, ports closed");
    }
    return;
  }
  attempt->link = std::move(link);
  attempt->error = error;
  attempt->cv.notify_all();
}

void MidiStartup::supervise() {
  pthread_setname_np(pthread_self(), "hilt-midi-watch");
  installAltStackOnThisThread();
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    cv_.wait(lock, [this] { return exiting_ || pending_; });
    if (exiting_) return;
    current_ = std::move(pending_);
    pending_.reset();
    const std::shared_ptr<Attempt> attempt = current_;
    lock.unlock();
    runAttempt(attempt);
    lock.lock();
    current_.reset();
  }
}

// On the supervisor thread: start the init thread, give it what is left of the timeout, and
// settle the outcome. Never waits on the init thread past the deadline.
void MidiStartup::runAttempt(const std::shared_ptr<Attempt>& attempt) {
  std::thread init;
  try {
    init = std::thread(&MidiStartup::initThread, attempt, options_.clientName);
  } catch (const std::system_error& e) {
    logLine("midi: simulation mode after " + msSince(attempt->requestedMicros) + " ms (cannot start the init thread: " +
            e.what() + ")");
    return;
  }
  const int64_t left = attempt->requestedMicros + int64_t{options_.timeoutMs} * 1000 - monotonicMicros();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(left);
  std::unique_lock<std::mutex> lock(attempt->mutex);
  attempt->cv.wait_until(lock, deadline, [&] { return attempt->returned || attempt->cancelled; });
  const bool returned = attempt->returned;
  std::unique_ptr<MidiLink> link = std::move(attempt->link);
  const std::string error = attempt->error;
  if (!returned) attempt->abandoned = true;
  lock.unlock();

  if (!returned) {
    init.detach();  // it may never come back from jack_client_open; it owns what it uses
    std::lock_guard<std::mutex> guard(mutex_);
    abandoned_.push_back(attempt);
    if (!attempt->cancelled) {
      logLine("midi: simulation mode after " + msSince(attempt->requestedMicros) + " ms (MIDI init timed out after " +
              std::to_string(options_.timeoutMs) + " ms)");
    } else if (!exiting_) {
      logLine("midi: start cancelled after " + msSince(attempt->requestedMicros) + " ms, init thread left detached");
    }
    return;
  }
  init.join();  // bounded: all that is left of it is the return
  if (!link) {
    logLine("midi: simulation mode after " + msSince(attempt->requestedMicros) + " ms (" + error + ")");
    return;
  }
  std::unique_lock<std::mutex> guard(mutex_);
  if (attempt->cancelled || exiting_) {
    guard.unlock();
    link->close();
    logLine("midi: start cancelled, ports closed");
    return;
  }
  logLine(connectedLine(attempt->requestedMicros, *link));
  if (options_.onConnected) options_.onConnected();
  link_ = std::move(link);
}

bool MidiStartup::refuseLocked() {
  if (exiting_) {
    logLine("midi: start ignored, the engine is stopping");
  } else if (link_) {
    logLine("midi: connected already in=" + link_->inPort() + " out=" + link_->outPort());
  } else if (pending_ || current_ || inlineBusy_) {
    logLine("midi: start ignored, one is in progress");
  } else {
    return false;
  }
  return true;
}

void MidiStartup::request(const std::string& thread) {
  const int64_t requested = monotonicMicros();
  logLine("midi: start requested on the " + thread + " thread");
  if (options_.initOnCallbackThread) {
    runInline(thread, requested);
  } else {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!refuseLocked()) {
      pending_ = std::make_shared<Attempt>();
      pending_->requestedMicros = requested;
      cv_.notify_one();
    }
  }
  logLine("midi: request returned on the " + thread + " thread in " + msSince(requested) + " ms");
}

// Bug switch init-on-callback-thread: the JACK work on the asking thread, however long it takes.
void MidiStartup::runInline(const std::string& thread, int64_t requestedMicros) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (refuseLocked()) return;
    inlineBusy_ = true;
  }
  std::string error;
  std::unique_ptr<MidiLink> link = MidiLink::open(options_.clientName, error);
  std::unique_lock<std::mutex> lock(mutex_);
  inlineBusy_ = false;
  if (!link) {
    logLine("midi: init failed on the " + thread + " thread: " + error);
    return;
  }
  if (exiting_) {
    lock.unlock();
    link->close();
    logLine("midi: start cancelled, ports closed");
    return;
  }
  logLine(connectedLine(requestedMicros, *link));
  if (options_.onConnected) options_.onConnected();
  link_ = std::move(link);
}

void MidiStartup::stop() {
  std::unique_ptr<MidiLink> link;
  bool cancelled = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    link = std::move(link_);
    cancelled = pending_ != nullptr;
    pending_.reset();
    if (current_) {
      std::lock_guard<std::mutex> guard(current_->mutex);
      current_->cancelled = true;
      current_->cv.notify_all();
      cancelled = true;
    }
  }
  if (link) link->close();
  logLine(link ? "midi: stopped" : cancelled ? "midi: stopped (start cancelled)" : "midi: stopped (not connected)");
}

void MidiStartup::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (exiting_) return;
    exiting_ = true;
    pending_.reset();
    if (current_) {
      std::lock_guard<std::mutex> guard(current_->mutex);
      current_->cancelled = true;
      current_->cv.notify_all();
    }
  }
  cv_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();  // bounded: a cancelled wait ends at once
  std::unique_ptr<MidiLink> link;
  std::vector<std::shared_ptr<Attempt>> abandoned;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    link = std::move(link_);
    abandoned.swap(abandoned_);
  }
  if (link) {
    link->close();
    logLine("midi: stopped");
  }
  int stuck = 0;
  for (const auto& a : abandoned) {
    std::lock_guard<std::mutex> guard(a->mutex);
    if (!a->returned) ++stuck;
  }
  if (stuck == 1) logLine("midi: init thread still blocked at exit, left detached");
  if (stuck > 1) logLine("midi: init thread still blocked at exit, left detached (" + std::to_string(stuck) + " of them)");
}

}  // namespace hilt
