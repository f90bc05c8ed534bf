// Output that is safe inside a signal handler: a fixed buffer, no allocation, no stdio, one
// write(2) per line. Used by the crash guard and by the guardian's last words.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hilt {

class SafeLine {
 public:
  SafeLine& str(const char* s);
  SafeLine& num(uint64_t v);
  SafeLine& inum(int64_t v);
  SafeLine& ms(int64_t micros);  // "12.3ms"
  // Writes the line (with a newline) to fd; the buffer is then empty again.
  void writeTo(int fd);

 private:
  char buf_[512];
  size_t len_ = 0;
};

// Monotonic microseconds (clock_gettime is async-signal-safe).
int64_t monotonicMicros();
// "hilt-engine[pid] +12.3ms " like logLine, from a signal handler.
SafeLine& logPrefix(SafeLine& line, const char* who);

}  // namespace hilt
