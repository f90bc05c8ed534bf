// The engine's side of the guardian (defence layer 5, the one FineTune thought impossible):
// a helper process that holds the list of live objects and destroys them the moment the
// engine dies for any reason, SIGKILL included. It notices the death by end-of-file on a pipe
// only the engine writes to: the kernel closes it as the engine dies, with no polling.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

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

  // Replacing a guardian that died first (OOM killer, a user's killall). The status pipe reaches
  // EOF the moment the guardian exits: whoever watches statusFd() learns of the death at once.
  int statusFd() const { return fromGuardian_; }
  // Reaps the dead guardian (its exit is reapable a moment after the EOF) and says how it ended:
  // "signal SIGKILL", "exit 1", or "" if it was not reapable within deadlineMs. Reads only pid_.
  std::string reapDead(int deadlineMs);
  // Starts a new guardian the way `model` was started, but keeps it from the crash guard until
  // adopt(): the engine publishes it only once it tracks every live object.
  bool startReplacement(const GuardianLink& model, int deadlineMs, std::string& error);
  // Takes `fresh` in place of the dead guardian: tracks `live` with it, then hands its pipe to the
  // crash guard. The caller holds whatever serializes track()/untrack() (the engine's loop lock).
  void adopt(GuardianLink& fresh, const std::vector<uint32_t>& live);
  // Forgets the dead guardian: the engine runs without one.
  void drop();

 private:
  bool spawn(const std::string& exe, const std::string& serverPath, int deadlineMs, bool ownSession, std::string& error);
  void closePipes();
  void send(const std::string& line);
  std::string exe_;  // how it was started, for a replacement
  std::string server_;
  bool ownSession_ = true;
  int toGuardian_ = -1;    // the engine writes commands; its closing is the death notice
  int fromGuardian_ = -1;  // the guardian's "ready", then EOF when it exits
  pid_t pid_ = -1;
};

// Where the guardian executable lives: next to the running executable.
std::string guardianPathNextToSelf();

}  // namespace hilt
