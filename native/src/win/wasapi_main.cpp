// hilt-wasapi: hilt's audio on Windows, one WASAPI job per run.
//
//   hilt-wasapi endpoints                                  every endpoint, one JSON per line
//   hilt-wasapi play [--endpoint ID|NAME|default]          s16le mono 48 kHz on stdin, played
//   hilt-wasapi capture [--endpoint ID|NAME|default] [--loopback]   s16le mono 48 kHz on stdout
//   hilt-wasapi sessions                                   audio sessions and their pids, JSON
//
// Exit codes (wasapi_common.h): 0 ok, 2 usage, 3 no such endpoint, 4 a call the system does not
// implement, 5 a failed call, 6 a mix format it cannot convert, 7 stdin or stdout broken.
#include <windows.h>
#include <shellapi.h>

#include <cstdio>
#include <string>
#include <vector>

#include "wasapi_common.h"

using namespace hiltwasapi;

namespace {

constexpr const char* kUsageText =
    "usage: hilt-wasapi endpoints | play [--endpoint ID|NAME|default] | capture [--endpoint ID|NAME|default] [--loopback] | sessions";

int usage(const std::string& seen) {
  fail("usage", kUsageText, seen);
  return kUsage;
}

}  // namespace

int main() {
  // Wide arguments: an endpoint's id or friendly name may be any Unicode text.
  int argc = 0;
  LPWSTR* wargv = CommandLineToArgvW(GetCommandLineW(), &argc);
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.push_back(utf8(wargv[i]));
  LocalFree(wargv);
  if (args.empty()) return usage("no command");
  const std::string command = args[0];
  std::string endpoint = "default";
  bool loopback = false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--endpoint" && i + 1 < args.size()) endpoint = args[++i];
    else if (args[i] == "--loopback" && command == "capture") loopback = true;
    else return usage("\"" + args[i] + "\" after " + command);
  }
  if ((command == "endpoints" || command == "sessions") && args.size() > 1) return usage(command + " takes no options");
  ComScope com;
  if (FAILED(com.hr)) return failCall(command.c_str(), "CoInitializeEx", com.hr);
  if (command == "endpoints") return endpointsCommand();
  if (command == "sessions") return sessionsCommand();
  if (command == "play") return playCommand(endpoint);
  if (command == "capture") return captureCommand(endpoint, loopback);
  return usage("unknown command \"" + command + "\"");
}
