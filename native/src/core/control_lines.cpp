#include "control_lines.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstring>

namespace hilt {

int quitSignalFd() {
  sigset_t quitSignals;
  sigemptyset(&quitSignals);
  sigaddset(&quitSignals, SIGTERM);
  sigaddset(&quitSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &quitSignals, nullptr);
  return signalfd(-1, &quitSignals, SFD_CLOEXEC);
}

std::string serveControlLines(int sigfd, const std::function<bool(const std::string& line)>& onLine) {
  std::string pending;
  for (;;) {
    pollfd fds[2] = {{sigfd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (sigfd >= 0 && (fds[0].revents & POLLIN)) {
      signalfd_siginfo info{};
      if (read(sigfd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        return std::string("signal SIG") + sigabbrev_np(static_cast<int>(info.ssi_signo));
      }
    }
    if (!(fds[1].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    char buf[256];
    const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) return "stdin closed";
    pending.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      const std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      if (onLine(line)) return line.substr(0, line.find(' ')) + " command";
    }
  }
}

}  // namespace hilt
