// PulseWire: a second, minimal connection to the audio server that speaks the Pulse native
// protocol by hand. It is opened in normal context; after that, unloadModules() uses only
// write/poll/read, so a crash handler may call it while libpulse's own state (locks, its
// mainloop thread) is unknown. It is FineTune's "destroy tracked devices via IPC to coreaudiod".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace hilt {

enum : int { kWireNoAnswer = -1, kWireOk = 0 };  // else a Pulse error code (5 = no such entity)

class PulseWire {
 public:
  PulseWire() = default;
  ~PulseWire();
  PulseWire(const PulseWire&) = delete;
  PulseWire& operator=(const PulseWire&) = delete;

  // Connects to the server's native socket, authenticates and names the client.
  bool open(const std::string& socketPath, const std::string& clientName, int deadlineMs, std::string& error);
  bool isOpen() const { return fd_ >= 0; }
  // Async-signal-safe. Asks the server to unload each module; results[i] is kWireOk, a Pulse
  // error code, or kWireNoAnswer when no reply came before the deadline.
  void unloadModules(const uint32_t* modules, size_t n, int* results, int deadlineMs) const;
  void close();

 private:
  int fd_ = -1;
};

// The Unix socket path behind a libpulse server string ("unix:/run/.../native" or a path).
std::string pulseSocketPath(const char* serverString);
// Readable name of a Pulse error code, async-signal-safe (a static string).
const char* pulseErrorName(int code);

}  // namespace hilt
