#include "guardian_link.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include "crash_guard.h"
#include "log.h"
#include "signal_safe.h"

extern char** environ;

namespace hilt {

namespace {
// Reads what the guardian writes on its status pipe until a newline, EOF or the deadline.
std::string readStatus(int fd, int64_t deadline) {
  std::string out;
  while (out.find('\n') == std::string::npos) {
    const int64_t left = deadline - monotonicMicros();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left / 1000) + 1) <= 0) continue;
    char buf[256];
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}
}  // namespace

GuardianLink::~GuardianLink() { stop(1000); }

std::string guardianPathNextToSelf() {
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return "hilt-guardian";
  std::string path(self, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/') + 1) + "hilt-guardian";
}

bool GuardianLink::start(const std::string& exe, const std::string& serverPath, int deadlineMs, bool ownSession,
                         std::string& error) {
  if (!spawn(exe, serverPath, deadlineMs, ownSession, error)) return false;
  setCrashGuardGuardianFd(toGuardian_);
  logLine("guardian: started pid " + std::to_string(pid_) +
          (ownSession ? " in a session of its own" : " in the engine's process group (bug switch guardian-in-group)"));
  return true;
}

bool GuardianLink::spawn(const std::string& exe, const std::string& serverPath, int deadlineMs, bool ownSession,
                         std::string& error) {
  exe_ = exe;
  server_ = serverPath;
  ownSession_ = ownSession;
  int cmd[2];
  int status[2];
  if (pipe2(cmd, O_CLOEXEC) != 0 || pipe2(status, O_CLOEXEC) != 0) {
    error = std::string("cannot create the guardian's pipes: ") + std::strerror(errno);
    return false;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, cmd[0], STDIN_FILENO);  // dup2 drops CLOEXEC
  posix_spawn_file_actions_adddup2(&actions, status[1], 3);
  const std::string enginePid = std::to_string(getpid());
  std::vector<char*> argv = {const_cast<char*>(exe.c_str()), const_cast<char*>("--engine-pid"),
                             const_cast<char*>(enginePid.c_str()), const_cast<char*>("--server"),
                             const_cast<char*>(serverPath.c_str()), nullptr};
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  if (ownSession) posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);  // glibc 2.26 and later
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, exe.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  close(cmd[0]);
  close(status[1]);
  if (rc != 0) {
    close(cmd[1]);
    close(status[0]);
    error = "cannot start the guardian " + exe + ": " + std::strerror(rc);
    return false;
  }
  pid_ = pid;
  toGuardian_ = cmd[1];
  fromGuardian_ = status[0];
  const std::string said = readStatus(fromGuardian_, monotonicMicros() + static_cast<int64_t>(deadlineMs) * 1000);
  if (said.rfind("ready", 0) != 0) {
    error = "guardian " + exe + " (pid " + std::to_string(pid) + ") did not become ready within " +
            std::to_string(deadlineMs) + " ms" + (said.empty() ? "" : ": " + said.substr(0, said.find('\n')));
    stop(500);
    return false;
  }
  return true;
}

bool GuardianLink::startReplacement(const GuardianLink& model, int deadlineMs, std::string& error) {
  return spawn(model.exe_, model.server_, deadlineMs, model.ownSession_, error);
}

std::string GuardianLink::reapDead(int deadlineMs) {
  if (pid_ <= 0) return "";
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    while (poll(&p, 1, deadlineMs) < 0 && errno == EINTR) {
    }
    close(pidfd);
  }
  int wstatus = 0;
  if (waitpid(pid_, &wstatus, WNOHANG) != pid_) return "";
  if (WIFSIGNALED(wstatus)) return std::string("signal SIG") + sigabbrev_np(WTERMSIG(wstatus));
  return "exit " + std::to_string(WEXITSTATUS(wstatus));
}

void GuardianLink::adopt(GuardianLink& fresh, const std::vector<uint32_t>& live) {
  for (uint32_t m : live) fresh.send("track " + std::to_string(m));
  // Published after the track lines, so a crash guard's untrack can never come before them.
  setCrashGuardGuardianFd(fresh.toGuardian_);
  // A guard that began before the publish wrote its untracks to the old pipe (or none): it
  // destroys every tracked object, so the new guardian must forget them all, else it destroys
  // them again after the death. Its old pipe stays open: the guard may still be writing to it.
  const bool crashing = crashGuardRunning();
  if (crashing) {
    for (uint32_t m : live) fresh.send("untrack " + std::to_string(m));
  } else {
    closePipes();
  }
  toGuardian_ = fresh.toGuardian_;
  fromGuardian_ = fresh.fromGuardian_;
  pid_ = fresh.pid_;
  exe_ = fresh.exe_;
  server_ = fresh.server_;
  ownSession_ = fresh.ownSession_;
  fresh.toGuardian_ = fresh.fromGuardian_ = -1;
  fresh.pid_ = -1;
}

void GuardianLink::drop() {
  setCrashGuardGuardianFd(-1);
  if (!crashGuardRunning()) closePipes();
  toGuardian_ = fromGuardian_ = -1;
  pid_ = -1;
}

void GuardianLink::closePipes() {
  if (toGuardian_ >= 0) close(toGuardian_);
  if (fromGuardian_ >= 0) close(fromGuardian_);
  toGuardian_ = fromGuardian_ = -1;
}

void GuardianLink::send(const std::string& line) {
  if (toGuardian_ < 0) return;
  const std::string msg = line + "\n";
  if (write(toGuardian_, msg.data(), msg.size()) != static_cast<ssize_t>(msg.size())) {
    logLine("guardian: lost (" + std::string(std::strerror(errno)) + "); only the crash guard and the next launch's sweep are left");
    setCrashGuardGuardianFd(-1);
    close(toGuardian_);
    toGuardian_ = -1;
  }
}

void GuardianLink::track(uint32_t module) { send("track " + std::to_string(module)); }
void GuardianLink::untrack(uint32_t module) { send("untrack " + std::to_string(module)); }

void GuardianLink::stop(int deadlineMs) {
  if (pid_ <= 0) return;
  send("bye");
  setCrashGuardGuardianFd(-1);
  if (toGuardian_ >= 0) close(toGuardian_);
  toGuardian_ = -1;
  // The status pipe reaches EOF when the guardian exits.
  const int64_t deadline = monotonicMicros() + static_cast<int64_t>(deadlineMs) * 1000;
  readStatus(fromGuardian_, deadline);
  // EOF comes a moment before the exit is reapable: wait for the exit itself, on a pidfd.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    const int64_t left = deadline - monotonicMicros();
    while (poll(&p, 1, left > 0 ? static_cast<int>(left / 1000) + 1 : 0) < 0 && errno == EINTR) {
    }
    close(pidfd);
  }
  int wstatus = 0;
  if (waitpid(pid_, &wstatus, WNOHANG) == 0) {
    logLine("guardian: did not exit within " + std::to_string(deadlineMs) + " ms of goodbye; killing it");
    kill(pid_, SIGKILL);
    waitpid(pid_, &wstatus, 0);
  }
  close(fromGuardian_);
  fromGuardian_ = -1;
  pid_ = -1;
}

}  // namespace hilt
