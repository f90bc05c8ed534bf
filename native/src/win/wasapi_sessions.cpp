// `hilt-wasapi sessions`: the audio sessions of every active render endpoint with their process
// ids (IAudioSessionManager2), one JSON per line: each session, then a line per endpoint saying
// how many it had, so an endpoint with none reads as counted, not as missing. Where the system
// lacks the call, one "error" line names the call and its HRESULT, and the exit code says which.
#include <audiopolicy.h>

#include <cstdio>

#include "wasapi_common.h"

namespace hiltwasapi {

namespace {

const char* sessionState(AudioSessionState s) {
  switch (s) {
    case AudioSessionStateActive:
      return "active";
    case AudioSessionStateInactive:
      return "inactive";
    case AudioSessionStateExpired:
      return "expired";
    default:
      return "unknown";
  }
}

std::string where(IMMDevice* d) {
  return "\"endpoint\":" + jsonString(endpointId(d)) + ",\"endpointName\":" + jsonString(friendlyName(d));
}

int errorLine(IMMDevice* d, const char* call, HRESULT h) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08lX", static_cast<unsigned long>(h));
  std::printf("{\"kind\":\"error\",%s,\"call\":%s,\"hresult\":\"%s\",\"name\":%s}\n", where(d).c_str(), jsonString(call).c_str(),
              hex, jsonString(hresultName(h)).c_str());
  std::fflush(stdout);
  return failCall("sessions", call, h);
}

std::string takeString(LPWSTR w) {
  std::string s = utf8(w);
  CoTaskMemFree(w);
  return s;
}

void sessionLine(IMMDevice* d, IAudioSessionControl* c) {
  Com<IAudioSessionControl2> c2;
  DWORD pid = 0;
  LPWSTR id = nullptr;
  LPWSTR display = nullptr;
  AudioSessionState state = AudioSessionStateInactive;
  bool system = false;
  if (SUCCEEDED(c->QueryInterface(__uuidof(IAudioSessionControl2), c2.putVoid()))) {
    c2->GetProcessId(&pid);  // a session of several processes answers AUDCLNT_S_NO_SINGLE_PROCESS and one of them
    c2->GetSessionIdentifier(&id);
    system = c2->IsSystemSoundsSession() == S_OK;
  }
  c->GetState(&state);
  c->GetDisplayName(&display);
  std::printf("{\"kind\":\"session\",%s,\"pid\":%lu,\"state\":\"%s\",\"displayName\":%s,\"sessionId\":%s,\"system\":%s}\n",
              where(d).c_str(), static_cast<unsigned long>(pid), sessionState(state), jsonString(takeString(display)).c_str(),
              jsonString(takeString(id)).c_str(), system ? "true" : "false");
}

int listSessions(IMMDevice* d) {
  Com<IAudioSessionManager2> manager;
  HRESULT h = d->Activate(__uuidof(IAudioSessionManager2), CLSCTX_ALL, nullptr, manager.putVoid());
  if (FAILED(h)) return errorLine(d, "IMMDevice::Activate(IAudioSessionManager2)", h);
  Com<IAudioSessionEnumerator> sessions;
  h = manager->GetSessionEnumerator(sessions.put());
  if (FAILED(h)) return errorLine(d, "IAudioSessionManager2::GetSessionEnumerator", h);
  int count = 0;
  h = sessions->GetCount(&count);
  if (FAILED(h)) return errorLine(d, "IAudioSessionEnumerator::GetCount", h);
  for (int i = 0; i < count; ++i) {
    Com<IAudioSessionControl> c;
    if (SUCCEEDED(sessions->GetSession(i, c.put()))) sessionLine(d, c.p);
  }
  std::printf("{\"kind\":\"endpoint\",%s,\"sessions\":%d}\n", where(d).c_str(), count);
  return kOk;
}

}  // namespace

int sessionsCommand() {
  Com<IMMDeviceEnumerator> e;
  HRESULT h = CoCreateInstance(__uuidof(MMDeviceEnumerator), nullptr, CLSCTX_ALL, __uuidof(IMMDeviceEnumerator), e.putVoid());
  if (FAILED(h)) return failCall("sessions", "CoCreateInstance(MMDeviceEnumerator)", h);
  Com<IMMDeviceCollection> all;
  h = e->EnumAudioEndpoints(eRender, DEVICE_STATE_ACTIVE, all.put());
  if (FAILED(h)) return failCall("sessions", "IMMDeviceEnumerator::EnumAudioEndpoints", h);
  UINT count = 0;
  all->GetCount(&count);
  for (UINT i = 0; i < count; ++i) {
    Com<IMMDevice> d;
    if (FAILED(all->Item(i, d.put()))) continue;
    if (const int rc = listSessions(d.p)) return rc;
  }
  std::fflush(stdout);
  return kOk;
}

}  // namespace hiltwasapi
