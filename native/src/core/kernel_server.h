// A Jupyter-shaped kernel server (seed 001, the Max kernel): one thread per channel (shell,
// control, hb, iopub), each blocking in poll on its listening socket and its clients, and a
// connection file naming the ports. stop() must return in bounded time however idle the clients.
#pragma once
#include <atomic>
#include <string>
#include <vector>

namespace hilt {

struct KernelOptions {
  std::string connectionFile;  // written at start, removed at stop
  int joinDeadlineMs = 2000;   // the bounded join; past it, the logged fallback
  bool blockingPoll = false;   // bug switch: poll(-1) with no wake-up, flag read after a message
  bool leakOnStop = false;     // bug switch: detach instead of join, then free what threads use
};

struct KernelStopReport {
  double ms = 0;       // stop call to return
  int joined = 0;      // channel threads that ended and were joined
  int abandoned = 0;   // threads left running (the fallback, or the leak bug)
};

class KernelServer {
 public:
  explicit KernelServer(KernelOptions options);
  ~KernelServer();  // stops a running kernel first
  KernelServer(const KernelServer&) = delete;
  KernelServer& operator=(const KernelServer&) = delete;

  bool start(std::string& error);
  KernelStopReport stop(const char* why);
  bool running() const { return running_; }

 private:
  struct Channel;
  void serve(Channel* channel);
  bool blocking() const { return options_.blockingPoll || options_.leakOnStop; }

  KernelOptions options_;
  std::vector<Channel*> channels_;  // raw on purpose: the fallback leaks them, the leak bug frees them early
  int wakeFd_ = -1;
  std::atomic<bool> stopRequested_{false};
  bool running_ = false;
};

}  // namespace hilt
