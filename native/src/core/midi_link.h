// MidiLink: the engine's MIDI ports on JACK. Client "<name>" has the virtual input "in", client
// "<name>-out" the virtual output "out"; every message arriving on "in" is sent unchanged to
// "out" from the input callback, the round trip hilt measures.
#pragma once
#include <RtMidi.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hilt {

class MidiLink {
 public:
  // Opens both clients and their ports; nullptr with RtMidi's error text on failure. Blocks for
  // as long as jack_client_open does: callers that must not hang run it on a thread of its own.
  static std::unique_ptr<MidiLink> open(const std::string& clientName, std::string& error);
  ~MidiLink();
  MidiLink(const MidiLink&) = delete;
  MidiLink& operator=(const MidiLink&) = delete;

  // Closes the ports and both clients. Idempotent.
  void close();
  // Full JACK names as other clients see them (the server may have renamed our clients).
  const std::string& inPort() const { return inPort_; }
  const std::string& outPort() const { return outPort_; }

 private:
  MidiLink() = default;
  static void onMessage(double stamp, std::vector<unsigned char>* message, void* self);

  std::mutex closeMutex_;
  std::atomic<bool> echo_{false};   // the input callback runs on JACK's thread, not under closeMutex_
  std::unique_ptr<RtMidiOut> out_;  // created first and destroyed last: the input callback uses it
  std::unique_ptr<RtMidiIn> in_;
  std::string inPort_;
  std::string outPort_;
};

}  // namespace hilt
