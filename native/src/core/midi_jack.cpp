#include "midi_jack.h"

namespace hilt {

namespace {

// Keeps the first warning or error RtMidi reports while the callback is installed.
void keepFirst(RtMidiError::Type, const std::string& text, void* out) {
  auto* first = static_cast<std::string*>(out);
  if (first->empty()) *first = text;
}

// Every RtMidi JACK call retries jack_client_open while there is no client; one listing with an
// error callback installed turns the retry's "JACK server not running?" warning into our error.
bool reachable(RtMidi& midi, std::string& error) {
  std::string first;
  midi.setErrorCallback(&keepFirst, &first);
  midi.getPortCount();
  midi.setErrorCallback(nullptr, nullptr);  // later errors throw again
  if (first.empty()) return true;
  error = first;
  return false;
}

template <typename T>
std::unique_ptr<T> openJack(const std::string& clientName, std::string& error) {
  try {
    auto midi = std::make_unique<T>(RtMidi::UNIX_JACK, clientName);
    if (!reachable(*midi, error)) return nullptr;
    return midi;
  } catch (const RtMidiError& e) {
    error = e.getMessage();
    return nullptr;
  }
}

}  // namespace

std::unique_ptr<RtMidiIn> openJackIn(const std::string& clientName, std::string& error) {
  return openJack<RtMidiIn>(clientName, error);
}

std::unique_ptr<RtMidiOut> openJackOut(const std::string& clientName, std::string& error) {
  return openJack<RtMidiOut>(clientName, error);
}

std::vector<std::string> portNames(RtMidi& midi) {
  std::vector<std::string> names;
  const unsigned n = midi.getPortCount();
  for (unsigned i = 0; i < n; ++i) {
    std::string name = midi.getPortName(i);
    if (!name.empty()) names.push_back(std::move(name));  // "" when a port went away meanwhile
  }
  return names;
}

int findPort(RtMidi& midi, const std::string& name) {
  const unsigned n = midi.getPortCount();
  for (unsigned i = 0; i < n; ++i) {
    if (midi.getPortName(i) == name) return static_cast<int>(i);
  }
  return -1;
}

std::string hexBytes(const std::vector<unsigned char>& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

}  // namespace hilt
