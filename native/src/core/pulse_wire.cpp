#include "pulse_wire.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "signal_safe.h"

namespace hilt {

namespace {

// From the Pulse native protocol (pulsecore/native-common.h, tagstruct.h).
constexpr uint32_t kCommandError = 0;
constexpr uint32_t kCommandReply = 2;
constexpr uint32_t kCommandAuth = 8;
constexpr uint32_t kCommandSetClientName = 9;
constexpr uint32_t kCommandUnloadModule = 52;
constexpr uint32_t kProtocolVersion = 32;
constexpr uint32_t kControlChannel = 0xFFFFFFFFu;
constexpr size_t kDescriptorSize = 20;  // length, channel, offset hi, offset lo, flags
constexpr size_t kCookieSize = 256;

// A packet under construction in a fixed buffer: descriptor, then the tagstruct payload.
class Packet {
 public:
  Packet() { len_ = kDescriptorSize; }
  Packet& u32(uint32_t v) {
    put('L');
    return raw32(v);
  }
  Packet& string(const char* s) {
    put('t');
    while (*s) put(static_cast<uint8_t>(*s++));
    put(0);
    return *this;
  }
  Packet& arbitrary(const void* data, uint32_t n) {
    put('x');
    raw32(n);
    for (uint32_t i = 0; i < n; ++i) put(static_cast<const uint8_t*>(data)[i]);
    return *this;
  }
  Packet& proplistString(const char* key, const char* value) {
    // Inside a proplist: key, value length, value bytes (strings keep their NUL).
    string(key);
    const uint32_t n = static_cast<uint32_t>(std::strlen(value) + 1);
    u32(n);
    return arbitrary(value, n);
  }
  Packet& beginProplist() {
    put('P');
    return *this;
  }
  Packet& endProplist() {
    put('N');
    return *this;
  }
  // Fills in the descriptor; returns the whole packet.
  const uint8_t* finish(size_t& size) {
    const uint32_t words[5] = {htonl(static_cast<uint32_t>(len_ - kDescriptorSize)), htonl(kControlChannel), 0, 0, 0};
    std::memcpy(buf_, words, sizeof words);
    size = len_;
    return buf_;
  }
  bool overflow() const { return overflow_; }

 private:
  void put(uint8_t b) {
    if (len_ < sizeof buf_) {
      buf_[len_++] = b;
    } else {
      overflow_ = true;
    }
  }
  Packet& raw32(uint32_t v) {
    const uint32_t be = htonl(v);
    const auto* p = reinterpret_cast<const uint8_t*>(&be);
    for (int i = 0; i < 4; ++i) put(p[i]);
    return *this;
  }
  uint8_t buf_[kDescriptorSize + kCookieSize + 512];
  size_t len_;
  bool overflow_ = false;
};

bool writeAll(int fd, const uint8_t* data, size_t n) {
  while (n > 0) {
    const ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Reads exactly n bytes unless the deadline (monotonic micros) passes first.
bool readExactly(int fd, uint8_t* out, size_t n, int64_t deadline) {
  while (n > 0) {
    const int64_t left = deadline - monotonicMicros();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(left / 1000) + 1);
    if (r <= 0) continue;
    const ssize_t got = read(fd, out, n);
    if (got <= 0) return false;
    out += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

uint32_t be32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return ntohl(v);
}

// One reply from the server: its command (REPLY or ERROR), tag and, for ERROR, the code.
struct Reply {
  uint32_t command = 0;
  uint32_t tag = 0;
  uint32_t error = 0;
};

bool readReply(int fd, Reply& reply, int64_t deadline) {
  for (;;) {
    uint8_t desc[kDescriptorSize];
    if (!readExactly(fd, desc, sizeof desc, deadline)) return false;
    const uint32_t len = be32(desc);
    uint8_t payload[1024];
    if (len > sizeof payload) {
      // Not something we asked for (we never subscribe): skip it.
      uint8_t sink[256];
      for (uint32_t left = len; left > 0;) {
        const uint32_t chunk = left < sizeof sink ? left : static_cast<uint32_t>(sizeof sink);
        if (!readExactly(fd, sink, chunk, deadline)) return false;
        left -= chunk;
      }
      continue;
    }
    if (!readExactly(fd, payload, len, deadline)) return false;
    if (be32(desc + 4) != kControlChannel || len < 10 || payload[0] != 'L' || payload[5] != 'L') continue;
    reply.command = be32(payload + 1);
    reply.tag = be32(payload + 6);
    reply.error = (reply.command == kCommandError && len >= 15 && payload[10] == 'L') ? be32(payload + 11) : 0;
    if (reply.command == kCommandReply || reply.command == kCommandError) return true;
  }
}

}  // namespace

PulseWire::~PulseWire() { close(); }

void PulseWire::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool PulseWire::open(const std::string& socketPath, const std::string& clientName, int deadlineMs,
                     std::string& error) {
  close();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socketPath.empty() || socketPath.size() >= sizeof addr.sun_path) {
    error = "bad audio server socket path '" + socketPath + "'";
    return false;
  }
  std::memcpy(addr.sun_path, socketPath.c_str(), socketPath.size() + 1);
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0 || connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error = "cannot connect to " + socketPath + ": " + std::strerror(errno);
    close();
    return false;
  }
  const int64_t deadline = monotonicMicros() + static_cast<int64_t>(deadlineMs) * 1000;
  // The server does not check the cookie on a local socket it trusts; send zeros.
  const uint8_t cookie[kCookieSize] = {};
  Packet auth;
  auth.u32(kCommandAuth).u32(1).u32(kProtocolVersion).arbitrary(cookie, kCookieSize);
  const std::string pid = std::to_string(getpid());
  Packet name;
  name.u32(kCommandSetClientName).u32(2).beginProplist();
  name.proplistString("application.name", clientName.c_str()).proplistString("application.process.id", pid.c_str());
  name.endProplist();
  for (Packet* p : {&auth, &name}) {
    if (p->overflow()) {
      error = "client name too long for the emergency connection: '" + clientName + "'";
      close();
      return false;
    }
    size_t size = 0;
    const uint8_t* data = p->finish(size);
    Reply reply;
    if (!writeAll(fd_, data, size) || !readReply(fd_, reply, deadline) || reply.command != kCommandReply) {
      error = std::string("the audio server refused the emergency connection during ") +
              (p == &auth ? "AUTH" : "SET_CLIENT_NAME") +
              (reply.command == kCommandError ? std::string(": ") + pulseErrorName(static_cast<int>(reply.error))
                                              : std::string(": no reply within the deadline"));
      close();
      return false;
    }
  }
  return true;
}

void PulseWire::unloadModules(const uint32_t* modules, size_t n, int* results, int deadlineMs) const {
  for (size_t i = 0; i < n; ++i) results[i] = kWireNoAnswer;
  if (fd_ < 0) return;
  // Tags 100+i identify the answers; send everything first so the server works in parallel.
  for (size_t i = 0; i < n; ++i) {
    Packet p;
    p.u32(kCommandUnloadModule).u32(static_cast<uint32_t>(100 + i)).u32(modules[i]);
    size_t size = 0;
    const uint8_t* data = p.finish(size);
    if (!writeAll(fd_, data, size)) return;
  }
  const int64_t deadline = monotonicMicros() + static_cast<int64_t>(deadlineMs) * 1000;
  for (size_t answered = 0; answered < n;) {
    Reply reply;
    if (!readReply(fd_, reply, deadline)) return;
    if (reply.tag < 100 || reply.tag >= 100 + n) continue;
    int& slot = results[reply.tag - 100];
    if (slot != kWireNoAnswer) continue;
    slot = reply.command == kCommandReply ? kWireOk : static_cast<int>(reply.error ? reply.error : 1);
    ++answered;
  }
}

std::string pulseSocketPath(const char* serverString) {
  if (!serverString) return "";
  std::string s = serverString;
  // A server list may carry several entries ("{machine-id}unix:/path tcp:..."): take the unix one.
  const auto unixAt = s.find("unix:");
  if (unixAt != std::string::npos) s = s.substr(unixAt + 5);
  const auto space = s.find(' ');
  if (space != std::string::npos) s = s.substr(0, space);
  return s.empty() || s[0] != '/' ? "" : s;
}

const char* pulseErrorName(int code) {
  switch (code) {
    case kWireNoAnswer: return "no answer before the deadline";
    case kWireOk: return "ok";
    case 1: return "access denied";
    case 2: return "unknown command";
    case 3: return "invalid argument";
    case 4: return "entity exists";
    case 5: return "no such entity";
    case 6: return "connection refused";
    case 7: return "protocol error";
    case 8: return "timeout";
    default: return "error";
  }
}

}  // namespace hilt
