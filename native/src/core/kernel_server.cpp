#include "kernel_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

#include "log.h"
#include "signal_safe.h"

namespace hilt {

struct KernelServer::Channel {
  std::string name;  // "shell", "control", "hb", "iopub"
  int listenFd = -1;
  int port = 0;
  std::vector<int> clients;
  char buffer[4096];
  std::thread thread;
  std::mutex mutex;
  std::condition_variable ended;
  bool done = false;

  void closeAll() {
    for (int c : clients) ::close(c);
    clients.clear();
    if (listenFd >= 0) ::close(listenFd);
    listenFd = -1;
  }
};

namespace {

const char* const kChannels[] = {"shell", "control", "hb", "iopub"};

double msSince(int64_t startMicros) { return static_cast<double>(monotonicMicros() - startMicros) / 1000.0; }

std::string fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

int listenLoopback(int& port, std::string& error) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  const int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    error = std::string("bind/listen on 127.0.0.1: ") + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  port = ntohs(addr.sin_port);
  return fd;
}

// Written to a temporary name and renamed, so a reader never sees half a file.
bool writeConnectionFile(const std::string& path, const std::vector<std::pair<std::string, int>>& ports, std::string& error) {
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) {
    error = "cannot write " + tmp + ": " + std::strerror(errno);
    return false;
  }
  std::fprintf(f, "{\n  \"transport\": \"tcp\",\n  \"ip\": \"127.0.0.1\",\n");
  for (const auto& [name, port] : ports) std::fprintf(f, "  \"%s_port\": %d,\n", name.c_str(), port);
  std::fprintf(f, "  \"key\": \"\",\n  \"signature_scheme\": \"hmac-sha256\",\n  \"kernel_name\": \"hilt\"\n}\n");
  std::fclose(f);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot rename " + tmp + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

KernelServer::KernelServer(KernelOptions options) : options_(std::move(options)) {}

KernelServer::~KernelServer() {
  if (running_) stop("destructor");
}

bool KernelServer::start(std::string& error) {
  if (running_) {
    error = "kernel already running";
    return false;
  }
  stopRequested_ = false;
  wakeFd_ = blocking() ? -1 : eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  std::vector<std::pair<std::string, int>> ports;
  for (const char* name : kChannels) {
    auto* ch = new Channel();
    ch->name = name;
    ch->listenFd = listenLoopback(ch->port, error);
    if (ch->listenFd < 0) {
      delete ch;
      for (Channel* c : channels_) c->closeAll(), delete c;
      channels_.clear();
      return false;
    }
    ports.emplace_back(name, ch->port);
    channels_.push_back(ch);
  }
  if (!writeConnectionFile(options_.connectionFile, ports, error)) {
    for (Channel* c : channels_) c->closeAll(), delete c;
    channels_.clear();
    return false;
  }
  for (Channel* ch : channels_) ch->thread = std::thread([this, ch] { serve(ch); });
  running_ = true;
  std::string list;
  for (const auto& [name, port] : ports) list += " " + name + "=" + std::to_string(port);
  logLine("kernel started connection_file=" + options_.connectionFile + list +
          (blocking() ? " poll=blocking" : " poll=wake-fd"));
  return true;
}

// One channel's loop. Every channel echoes what it receives (Jupyter's heartbeat does exactly
// that); idle clients send nothing, so only the wake-up descriptor can end the poll.
void KernelServer::serve(Channel* ch) {
  pthread_setname_np(pthread_self(), ("kernel-" + ch->name).c_str());
  std::vector<pollfd> fds;
  for (;;) {
    fds.clear();
    fds.push_back({ch->listenFd, POLLIN, 0});
    for (int c : ch->clients) fds.push_back({c, POLLIN, 0});
    const size_t polledClients = ch->clients.size();
    if (!blocking()) fds.push_back({wakeFd_, POLLIN, 0});
    if (!blocking() && stopRequested_.load()) break;
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (!blocking() && stopRequested_.load()) break;  // the wake-up descriptor fired
    if (fds[0].revents & POLLIN) {
      const int c = ::accept4(ch->listenFd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) {
        ch->clients.push_back(c);
        logLine("kernel-" + ch->name + ": client connected (" + std::to_string(ch->clients.size()) + " on this channel)");
      }
    }
    for (size_t i = 1; i <= polledClients; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, ch->buffer, sizeof ch->buffer);
      if (n > 0) {
        (void)!::write(fds[i].fd, ch->buffer, static_cast<size_t>(n));
        continue;
      }
      ::close(fds[i].fd);
      for (auto it = ch->clients.begin(); it != ch->clients.end(); ++it) {
        if (*it == fds[i].fd) {
          ch->clients.erase(it);
          break;
        }
      }
    }
    // xeus's loop: the stop flag is read only after poll returned with a message.
    if (blocking() && stopRequested_.load()) break;
  }
  std::lock_guard<std::mutex> lock(ch->mutex);
  ch->done = true;
  ch->ended.notify_all();
}

KernelStopReport KernelServer::stop(const char* why) {
  KernelStopReport report;
  if (!running_) return report;
  const int64_t t0 = monotonicMicros();
  logLine(std::string("kernel stopping (") + why + ")");
  stopRequested_ = true;
  if (wakeFd_ >= 0) {
    const uint64_t one = 1;
    (void)!::write(wakeFd_, &one, sizeof one);
  }

  if (options_.leakOnStop) {
    // The seed's workaround: don't wait, detach; then free the state the threads still poll on.
    for (Channel* ch : channels_) {
      ch->thread.detach();
      delete ch;
      ++report.abandoned;
    }
  } else if (options_.blockingPoll) {
    // Nobody wakes the threads, so this join never returns.
    for (Channel* ch : channels_) ch->thread.join(), ch->closeAll(), delete ch, ++report.joined;
  } else {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.joinDeadlineMs);
    for (Channel* ch : channels_) {
      std::unique_lock<std::mutex> lock(ch->mutex);
      if (ch->ended.wait_until(lock, deadline, [ch] { return ch->done; })) {
        lock.unlock();
        ch->thread.join();
        ch->closeAll();
        delete ch;
        ++report.joined;
      } else {
        // Fallback: never free what a running thread uses; keep it (a deliberate, logged leak).
        lock.unlock();
        logLine("kernel stop fallback: kernel-" + ch->name + " did not stop within " +
                std::to_string(options_.joinDeadlineMs) + " ms; detached, its state kept alive");
        ch->thread.detach();
        ++report.abandoned;
      }
    }
    if (report.abandoned == 0 && wakeFd_ >= 0) ::close(wakeFd_);
  }
  channels_.clear();
  wakeFd_ = -1;
  std::remove(options_.connectionFile.c_str());
  running_ = false;
  report.ms = msSince(t0);
  logLine("kernel stopped in " + fixed1(report.ms) + "ms joined=" + std::to_string(report.joined) +
          (options_.leakOnStop ? " (threads will finish in the background)" : "") +
          (report.abandoned && !options_.leakOnStop ? " abandoned=" + std::to_string(report.abandoned) : ""));
  return report;
}

}  // namespace hilt
