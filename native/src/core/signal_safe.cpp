#include "signal_safe.h"

#include <time.h>
#include <unistd.h>

#include "log.h"

namespace hilt {

SafeLine& SafeLine::str(const char* s) {
  while (s && *s && len_ < sizeof buf_ - 1) buf_[len_++] = *s++;
  return *this;
}

SafeLine& SafeLine::num(uint64_t v) {
  char digits[24];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v && n < sizeof digits);
  while (n && len_ < sizeof buf_ - 1) buf_[len_++] = digits[--n];
  return *this;
}

SafeLine& SafeLine::inum(int64_t v) {
  if (v < 0) {
    str("-");
    return num(static_cast<uint64_t>(-(v + 1)) + 1);
  }
  return num(static_cast<uint64_t>(v));
}

SafeLine& SafeLine::ms(int64_t micros) {
  if (micros < 0) micros = 0;
  num(static_cast<uint64_t>(micros / 1000)).str(".").num(static_cast<uint64_t>((micros % 1000) / 100));
  return str("ms");
}

void SafeLine::writeTo(int fd) {
  buf_[len_++] = '\n';
  size_t off = 0;
  while (off < len_) {
    const ssize_t n = write(fd, buf_ + off, len_ - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  len_ = 0;
}

int64_t monotonicMicros() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

SafeLine& logPrefix(SafeLine& line, const char* who) {
  return line.str(who).str("[").num(static_cast<uint64_t>(getpid())).str("] +").ms(monotonicMicros() - logStartMicros()).str(" ");
}

}  // namespace hilt
