// The engine's side of the guardian (defence layer 5, the one FineTune thought impossible):
// a helper process that holds the list of live objects and destroys them the moment the
// engine dies for any reason, SIGKILL included. It notices the death by end-of-file on a pipe
// only the engine writes to: the kernel closes it as the engine dies, with no polling.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace hilt {

class GuardianLink {
 public:
  GuardianLink() = default;
  ~GuardianLink();
  GuardianLink(const GuardianLink&) = delete;
  GuardianLink& operator=(const GuardianLink&) = delete;

  // Spawns `exe`, which connects to the audio server itself; returns once it says "ready".
  // ownSession: the guardian calls setsid() as it starts, so a signal to the engine's process
  // group (a shell's kill -9 -PGID, a terminal's Ctrl+C, a supervisor's group kill) spares it.
  bool start(const std::string& exe, const std::string& serverPath, int deadlineMs, bool ownSession, std::string& error);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  void track(uint32_t module);
  void untrack(uint32_t module);
  // Clean stop: says goodbye (everything is untracked by now), closes the pipe and waits up to
  // deadlineMs for the guardian to exit.
  void stop(int deadlineMs);

 private:
  void send(const std::string& line);
  int toGuardian_ = -1;    // the engine writes commands; its closing is the death notice
  int fromGuardian_ = -1;  // the guardian's "ready", then EOF when it exits
  pid_t pid_ = -1;
};

// Where the guardian executable lives: next to the running executable.
std::string guardianPathNextToSelf();

}  // namespace hilt
