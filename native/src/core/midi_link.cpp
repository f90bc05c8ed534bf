#include "midi_link.h"

#include <chrono>
#include <thread>

#include "midi_jack.h"

namespace hilt {

namespace {

constexpr int kListTries = 500;
constexpr std::chrono::milliseconds kListPause{2};  // 500 x 2 ms: a second for the server to tell us

// Our port's full name: the listed port `port` of the client named `client`, or of the client the
// server made of it when the name was taken (jackd appends "-01").
std::string ownPortName(const std::vector<std::string>& names, const std::string& client, const std::string& port) {
  for (const auto& name : names) {
    const size_t colon = name.rfind(':');
    if (colon == std::string::npos || name.compare(colon + 1, std::string::npos, port) != 0) continue;
    const std::string owner = name.substr(0, colon);
    if (owner == client) return name;
    if (owner.rfind(client + "-", 0) == 0 && owner.size() > client.size() + 1 &&
        owner.find_first_not_of("0123456789", client.size() + 1) == std::string::npos) {
      return name;
    }
  }
  return "";
}

}  // namespace

std::unique_ptr<MidiLink> MidiLink::open(const std::string& clientName, std::string& error) {
  std::unique_ptr<MidiLink> link(new MidiLink);
  try {
    link->out_ = openJackOut(clientName + "-out", error);
    if (!link->out_) return nullptr;
    link->out_->openVirtualPort("out");
    link->in_ = openJackIn(clientName, error);
    if (!link->in_) return nullptr;
    link->in_->ignoreTypes(false, false, false);  // echo everything, sysex and clock included
    link->in_->setCallback(&MidiLink::onMessage, link.get());
    link->echo_.store(true);
    link->in_->openVirtualPort("in");
    // Each client lists the other's port (inputs are what an RtMidiOut can write to), and learns
    // of it only when the server's registry event reaches it: poll, bounded.
    for (int tries = 0; tries < kListTries && (link->inPort_.empty() || link->outPort_.empty()); ++tries) {
      if (tries > 0) std::this_thread::sleep_for(kListPause);
      link->inPort_ = ownPortName(portNames(*link->out_), clientName, "in");
      link->outPort_ = ownPortName(portNames(*link->in_), clientName + "-out", "out");
    }
  } catch (const RtMidiError& e) {
    error = e.getMessage();
    return nullptr;
  }
  if (link->inPort_.empty() || link->outPort_.empty()) {
    error = "MIDI ports were created but the JACK server did not list them within a second";
    return nullptr;
  }
  return link;
}

MidiLink::~MidiLink() { close(); }

void MidiLink::onMessage(double, std::vector<unsigned char>* message, void* self) {
  auto* link = static_cast<MidiLink*>(self);
  if (!message || message->empty() || !link->echo_.load()) return;
  try {
    link->out_->sendMessage(message);
  } catch (const RtMidiError&) {
    // Never let an exception unwind through JACK's process thread; a lost echo shows as a timeout.
  }
}

void MidiLink::close() {
  std::lock_guard<std::mutex> lock(closeMutex_);
  echo_.store(false);
  // The input client first: destroying it stops JACK's thread that runs the echo.
  if (in_) in_->closePort();
  in_.reset();
  if (out_) out_->closePort();
  out_.reset();
}

}  // namespace hilt
