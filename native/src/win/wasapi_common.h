// hilt-wasapi's shared pieces: exit codes, HRESULT names, UTF-8 and JSON text, COM pointers and
// endpoint lookup. Each subcommand (endpoints, play, capture, sessions) is a file of its own.
#pragma once
#include <windows.h>
#include <audioclient.h>
#include <mmdeviceapi.h>

#include <string>

namespace hiltwasapi {

// Exit codes: hilt tells a missing endpoint from a call the system lacks from a failing call.
enum Exit : int {
  kOk = 0,
  kUsage = 2,
  kNoEndpoint = 3,      // no endpoint of that id or name (or no default of that flow)
  kNotImplemented = 4,  // the system does not implement a call (E_NOTIMPL, AUDCLNT_E_WRONG_ENDPOINT_TYPE)
  kCallFailed = 5,      // any other WASAPI or COM call failed: the HRESULT is named
  kFormat = 6,          // the mix format cannot be converted to or from s16le mono 48 kHz
  kIo = 7,              // stdin or stdout broke (hilt went away)
};

constexpr DWORD kRate = 48000;  // hilt's sample format on stdin and stdout: s16le mono 48 kHz

// "0x88890003 AUDCLNT_E_WRONG_ENDPOINT_TYPE", or just the hex for a code not in the table.
std::string hresultText(HRESULT h);
const char* hresultName(HRESULT h);  // "" when unknown
// Which exit a failed call gets: kNotImplemented for what the system lacks, else kCallFailed.
int exitFor(HRESULT h);

std::string utf8(const wchar_t* w);
std::wstring wide(const std::string& s);
std::string jsonString(const std::string& s);  // quoted and escaped

// One error line on stderr, expected/seen style: "hilt-wasapi: <what>: expected <e>, seen <s>".
void fail(const std::string& what, const std::string& expected, const std::string& seen);
// A failed call said as such; returns the exit code for it.
int failCall(const char* command, const char* call, HRESULT h);

// Releases a COM pointer when it goes out of scope (no ATL under mingw).
template <class T>
struct Com {
  T* p = nullptr;
  Com() = default;
  Com(const Com&) = delete;
  Com& operator=(const Com&) = delete;
  ~Com() {
    if (p) p->Release();
  }
  T** put() { return &p; }
  void** putVoid() { return reinterpret_cast<void**>(&p); }
  T* operator->() const { return p; }
  explicit operator bool() const { return p != nullptr; }
};

// CoInitializeEx for the process's one thread, undone at exit.
struct ComScope {
  HRESULT hr;
  ComScope() : hr(CoInitializeEx(nullptr, COINIT_MULTITHREADED)) {}
  ~ComScope() {
    if (SUCCEEDED(hr)) CoUninitialize();
  }
};

std::string endpointId(IMMDevice* d);
std::string friendlyName(IMMDevice* d);

// The endpoint `spec` names in `flow`: "default" (eConsole), an endpoint id, or a friendly name
// (active endpoints only). On failure the error is said and the exit code returned.
int findEndpoint(IMMDeviceEnumerator* e, EDataFlow flow, const std::string& spec, Com<IMMDevice>& out, const char* command);

// The mix format, described: "float32/2ch/48000Hz".
std::string describeFormat(const WAVEFORMATEX* f);
bool isFloat32(const WAVEFORMATEX* f);
bool isInt16(const WAVEFORMATEX* f);

int endpointsCommand();
int playCommand(const std::string& endpoint);
int captureCommand(const std::string& endpoint, bool loopback);
int sessionsCommand();

}  // namespace hiltwasapi
