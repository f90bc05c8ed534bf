// JSON text for hilt-inventory's one-line answers: string escaping, and a PipeWire property value
// typed the way pw-dump types it (so the harness's parsers read the same types from both).
#pragma once

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace hilt_inventory {

// Appends s as a JSON string: quotes, backslashes and control characters escaped; other bytes
// (UTF-8) pass through as they are.
inline void appendString(std::string& out, const char* s) {
  out += '"';
  for (const char* p = s ? s : ""; *p; ++p) {
    const unsigned char c = static_cast<unsigned char>(*p);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// pw-dump prints a property that reads whole as true/false as a boolean, as a base-10 integer
// (strtoll) as a number, as a float (strtof) as a number, and anything else as a string. A float
// that is not finite stays a string here: JSON has no inf or nan.
inline void appendPwValue(std::string& out, const char* v) {
  if (!v) {
    out += "null";
    return;
  }
  const std::string s(v);
  if (s == "true" || s == "false") {
    out += s;
    return;
  }
  if (!s.empty()) {
    char* end = nullptr;
    errno = 0;
    const long long i = std::strtoll(v, &end, 10);
    if (errno == 0 && end && *end == '\0') {
      out += std::to_string(i);
      return;
    }
    errno = 0;
    const float f = std::strtof(v, &end);
    if (errno == 0 && end && *end == '\0' && std::isfinite(f)) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(f));
      out += buf;
      return;
    }
  }
  appendString(out, v);
}

}  // namespace hilt_inventory
