// RtMidi on JACK, made to fail loudly: RtMidi's JACK backend only warns on stderr when no server
// answers and hands back a client that lists nothing. These open a client and report that case.
#pragma once
#include <RtMidi.h>

#include <memory>
#include <string>
#include <vector>

namespace hilt {

// nullptr with RtMidi's error text when the client cannot reach a JACK server. May block for as
// long as jack_client_open does (forever against a server that accepts and never answers).
std::unique_ptr<RtMidiIn> openJackIn(const std::string& clientName, std::string& error);
std::unique_ptr<RtMidiOut> openJackOut(const std::string& clientName, std::string& error);

// The full names ("client:port") of the ports this client can connect to: other clients' outputs
// for an RtMidiIn, their inputs for an RtMidiOut. Our own ports are listed too.
std::vector<std::string> portNames(RtMidi& midi);

// The index of the port named exactly `name` in this client's list, or -1.
int findPort(RtMidi& midi, const std::string& name);

// "903c64": lower-case hex, no separators.
std::string hexBytes(const std::vector<unsigned char>& bytes);

}  // namespace hilt
