// `hilt-wasapi endpoints`: every render and capture endpoint, in every state, one JSON per line.
#include <cstdio>

#include "wasapi_common.h"

namespace hiltwasapi {

namespace {

const char* stateName(DWORD s) {
  switch (s) {
    case DEVICE_STATE_ACTIVE:
      return "active";
    case DEVICE_STATE_DISABLED:
      return "disabled";
    case DEVICE_STATE_NOTPRESENT:
      return "notpresent";
    case DEVICE_STATE_UNPLUGGED:
      return "unplugged";
    default:
      return "unknown";
  }
}

std::string defaultId(IMMDeviceEnumerator* e, EDataFlow flow) {
  Com<IMMDevice> d;
  return SUCCEEDED(e->GetDefaultAudioEndpoint(flow, eConsole, d.put())) ? endpointId(d.p) : "";
}

// The mix format of an active endpoint, as JSON; an inactive one cannot be activated: null.
std::string mixJson(IMMDevice* d, DWORD state) {
  if (state != DEVICE_STATE_ACTIVE) return "null";
  Com<IAudioClient> client;
  HRESULT h = d->Activate(__uuidof(IAudioClient), CLSCTX_ALL, nullptr, client.putVoid());
  WAVEFORMATEX* mix = nullptr;
  if (SUCCEEDED(h)) h = client->GetMixFormat(&mix);
  if (FAILED(h)) return "{\"error\":" + jsonString(hresultText(h)) + "}";
  char text[160];
  const char* kind = isFloat32(mix) ? "float32" : isInt16(mix) ? "int16" : "other";
  std::snprintf(text, sizeof text, "{\"rate\":%lu,\"channels\":%u,\"format\":\"%s\",\"bits\":%u}",
                static_cast<unsigned long>(mix->nSamplesPerSec), mix->nChannels, kind, mix->wBitsPerSample);
  CoTaskMemFree(mix);
  return text;
}

int listFlow(IMMDeviceEnumerator* e, EDataFlow flow) {
  Com<IMMDeviceCollection> all;
  const HRESULT h = e->EnumAudioEndpoints(flow, DEVICE_STATEMASK_ALL, all.put());
  if (FAILED(h)) return failCall("endpoints", "IMMDeviceEnumerator::EnumAudioEndpoints", h);
  const std::string def = defaultId(e, flow);
  UINT count = 0;
  all->GetCount(&count);
  for (UINT i = 0; i < count; ++i) {
    Com<IMMDevice> d;
    if (FAILED(all->Item(i, d.put()))) continue;
    DWORD state = 0;
    d->GetState(&state);
    const std::string id = endpointId(d.p);
    std::printf("{\"flow\":\"%s\",\"id\":%s,\"name\":%s,\"default\":%s,\"state\":\"%s\",\"mix\":%s}\n",
                flow == eRender ? "render" : "capture", jsonString(id).c_str(), jsonString(friendlyName(d.p)).c_str(),
                !def.empty() && id == def ? "true" : "false", stateName(state), mixJson(d.p, state).c_str());
  }
  return kOk;
}

}  // namespace

int endpointsCommand() {
  Com<IMMDeviceEnumerator> e;
  const HRESULT h = CoCreateInstance(__uuidof(MMDeviceEnumerator), nullptr, CLSCTX_ALL, __uuidof(IMMDeviceEnumerator),
                                     e.putVoid());
  if (FAILED(h)) return failCall("endpoints", "CoCreateInstance(MMDeviceEnumerator)", h);
  int rc = listFlow(e.p, eRender);
  if (rc == kOk) rc = listFlow(e.p, eCapture);
  std::fflush(stdout);
  return rc;
}

}  // namespace hiltwasapi
