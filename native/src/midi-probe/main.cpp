// hilt-midi-probe: hilt's MIDI probe on the virtual rig. One JACK client reads, one writes, and
// stdin lines drive them; the answers are plain stdout lines for the harness to parse.
//
//   hilt-midi-probe --name <client name>
//
// Prints "ready" (or "unavailable <RtMidi error>" and exits 3 when no JACK server answers), then:
//   ports                                -> ports {"readable":[...],"writable":[...]}
//   connect <output port> <input port>   -> connected | error <message>  ("-": that side left unconnected)
//   roundtrip <hex bytes> <timeout ms>   -> roundtrip ok latency_us=<n>
//                                           | roundtrip timeout after <ms> ms received=<hex,...|none>
//   quit (or stdin closed, SIGTERM/SIGINT) -> bye, exit 0
// Readable ports are the other clients' outputs (what our input can be connected to), writable
// ports their inputs.
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "control_lines.h"
#include "log.h"
#include "midi_jack.h"

namespace {

using Clock = std::chrono::steady_clock;

int usage(const char* why) {
  std::fprintf(stderr, "hilt-midi-probe: %s\nusage: hilt-midi-probe --name <client name>\n", why);
  return 2;
}

// A protocol answer: one plain line, flushed at once (the harness reads it as it comes).
void answer(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string jsonArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& item : items) out += (out.size() > 1 ? "," : "") + jsonString(item);
  return out + "]";
}

bool parseHex(const std::string& hex, std::vector<unsigned char>& out) {
  if (hex.empty() || hex.size() % 2 != 0) return false;
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    char* end = nullptr;
    const std::string pair = hex.substr(i, 2);
    const long v = std::strtol(pair.c_str(), &end, 16);
    if (*end != '\0') return false;
    out.push_back(static_cast<unsigned char>(v));
  }
  return true;
}

// What arrived on our input, filled on RtMidi's (JACK's) thread, stamped on arrival.
struct Inbox {
  struct Message {
    std::vector<unsigned char> bytes;
    Clock::time_point at;
  };
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<Message> messages;
};

void onMessage(double, std::vector<unsigned char>* message, void* userdata) {
  if (!message) return;
  const Clock::time_point now = Clock::now();
  auto* inbox = static_cast<Inbox*>(userdata);
  {
    std::lock_guard<std::mutex> lock(inbox->mutex);
    inbox->messages.push_back({*message, now});
  }
  inbox->cv.notify_all();
}

class Probe {
 public:
  // The inbox is made before the clients: JACK's threads, created with them, then see it whole.
  Probe(Inbox& inbox, std::unique_ptr<RtMidiIn> in, std::unique_ptr<RtMidiOut> out)
      : inbox_(inbox), in_(std::move(in)), out_(std::move(out)) {
    in_->ignoreTypes(false, true, true);  // sysex in; clock and active sensing would only be noise
    in_->setCallback(&onMessage, &inbox_);
  }

  void close() {
    if (in_) in_->closePort();
    in_.reset();  // its JACK thread, the only writer of the inbox, is gone after this
    if (out_) out_->closePort();
    out_.reset();
  }

  void ports() {
    answer("ports {\"readable\":" + jsonArray(hilt::portNames(*in_)) + ",\"writable\":" +
           jsonArray(hilt::portNames(*out_)) + "}");
  }

  // Port names may hold spaces: the split is the one where both halves name existing ports.
  void connect(const std::string& args) {
    const std::vector<std::string> readable = hilt::portNames(*in_);
    const std::vector<std::string> writable = hilt::portNames(*out_);
    // "-" leaves that side unconnected: a synth has an input and no output.
    auto listed = [](const std::vector<std::string>& names, const std::string& name) {
      return name == "-" || std::find(names.begin(), names.end(), name) != names.end();
    };
    for (size_t sp = args.find(' '); sp != std::string::npos; sp = args.find(' ', sp + 1)) {
      const std::string from = args.substr(0, sp);
      const std::string to = args.substr(sp + 1);
      if (!listed(readable, from) || !listed(writable, to)) continue;
      try {
        // Our old ports go first, and the indexes are taken after: closing a port renumbers the list.
        if (in_->isPortOpen()) in_->closePort();
        if (out_->isPortOpen()) out_->closePort();
        const int i = from == "-" ? 0 : hilt::findPort(*in_, from);
        const int o = to == "-" ? 0 : hilt::findPort(*out_, to);
        if (i < 0 || o < 0) {
          answer("error port " + (i < 0 ? from : to) + " went away (our own ports close on connect)");
          return;
        }
        if (from != "-") in_->openPort(static_cast<unsigned>(i), "in");
        if (to != "-") out_->openPort(static_cast<unsigned>(o), "out");
      } catch (const RtMidiError& e) {
        answer("error " + e.getMessage());
        return;
      }
      answer("connected");
      return;
    }
    answer("error no readable port and writable port match '" + args + "' (readable: " + jsonArray(readable) +
           ", writable: " + jsonArray(writable) + ")");
  }

  void roundtrip(const std::string& hex, int timeoutMs) {
    std::vector<unsigned char> bytes;
    if (!parseHex(hex, bytes) || timeoutMs <= 0) {
      answer("error usage: roundtrip <hex bytes> <timeout ms>");
      return;
    }
    std::unique_lock<std::mutex> lock(inbox_.mutex);
    inbox_.messages.clear();
    lock.unlock();
    const Clock::time_point sent = Clock::now();
    try {
      out_->sendMessage(&bytes);
    } catch (const RtMidiError& e) {
      answer("error " + e.getMessage());
      return;
    }
    lock.lock();
    const Inbox::Message* match = nullptr;
    inbox_.cv.wait_until(lock, sent + std::chrono::milliseconds(timeoutMs), [&] {
      for (const auto& m : inbox_.messages) {
        if (m.bytes == bytes) match = &m;
      }
      return match != nullptr;
    });
    if (match) {
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(match->at - sent).count();
      answer("roundtrip ok latency_us=" + std::to_string(us));
      return;
    }
    std::string received;
    for (const auto& m : inbox_.messages) received += (received.empty() ? "" : ",") + hilt::hexBytes(m.bytes);
    answer("roundtrip timeout after " + std::to_string(timeoutMs) + " ms received=" + (received.empty() ? "none" : received));
  }

  // Runs one line; returns true on quit.
  bool run(const std::string& line) {
    std::istringstream in(line);
    std::string verb;
    in >> verb;
    if (verb == "quit") return true;
    if (verb == "ports") {
      ports();
    } else if (verb == "connect") {
      std::string rest;
      std::getline(in >> std::ws, rest);
      connect(rest);
    } else if (verb == "roundtrip") {
      std::string hex;
      int timeoutMs = 0;
      in >> hex >> timeoutMs;
      roundtrip(hex, timeoutMs);
    } else if (!verb.empty()) {
      answer("error unknown command '" + line + "' (known: ports, connect, roundtrip, quit)");
    }
    return false;
  }

 private:
  Inbox& inbox_;
  std::unique_ptr<RtMidiIn> in_;
  std::unique_ptr<RtMidiOut> out_;
};

}  // namespace

int main(int argc, char** argv) {
  hilt::setLogName("hilt-midi-probe");
  std::string name;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--name" && i + 1 < argc) {
      name = argv[++i];
    } else {
      return usage(("unknown argument '" + arg + "'").c_str());
    }
  }
  if (name.empty()) return usage("--name is required");
  pthread_setname_np(pthread_self(), "hilt-midi-probe");
  signal(SIGPIPE, SIG_IGN);

  // Quit signals through a descriptor, blocked before JACK starts its threads so they inherit it.
  const int sigfd = hilt::quitSignalFd();

  Inbox inbox;  // outlives the clients, whose JACK thread fills it
  std::string error;
  std::unique_ptr<RtMidiIn> in = hilt::openJackIn(name, error);
  std::unique_ptr<RtMidiOut> out = in ? hilt::openJackOut(name + "-out", error) : nullptr;
  if (!in || !out) {
    answer("unavailable " + error);
    return 3;
  }
  Probe probe(inbox, std::move(in), std::move(out));
  answer("ready");
  const std::string why = hilt::serveControlLines(sigfd, [&](const std::string& line) { return probe.run(line); });
  hilt::logLine("stop requested (" + why + ")");
  probe.close();
  answer("bye");
  return 0;
}
