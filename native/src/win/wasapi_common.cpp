#include "wasapi_common.h"

// initguid: defines PKEY_Device_FriendlyName here (mingw has no library holding it).
#include <initguid.h>
#include <functiondiscoverykeys_devpkey.h>

#include <cstdio>

namespace hiltwasapi {

namespace {

struct Named {
  unsigned long code;
  const char* name;
};

// The codes WASAPI and COM answer with, by name: an error line says which one, not just hex.
constexpr Named kNames[] = {
    {0x80004001, "E_NOTIMPL"},
    {0x80004002, "E_NOINTERFACE"},
    {0x80004003, "E_POINTER"},
    {0x80004005, "E_FAIL"},
    {0x8007000E, "E_OUTOFMEMORY"},
    {0x80070057, "E_INVALIDARG"},
    {0x80070490, "E_NOTFOUND"},
    {0x80040154, "REGDB_E_CLASSNOTREG"},
    {0x800401F0, "CO_E_NOTINITIALIZED"},
    {0x88890001, "AUDCLNT_E_NOT_INITIALIZED"},
    {0x88890002, "AUDCLNT_E_ALREADY_INITIALIZED"},
    {0x88890003, "AUDCLNT_E_WRONG_ENDPOINT_TYPE"},
    {0x88890004, "AUDCLNT_E_DEVICE_INVALIDATED"},
    {0x88890005, "AUDCLNT_E_NOT_STOPPED"},
    {0x88890006, "AUDCLNT_E_BUFFER_TOO_LARGE"},
    {0x88890007, "AUDCLNT_E_OUT_OF_ORDER"},
    {0x88890008, "AUDCLNT_E_UNSUPPORTED_FORMAT"},
    {0x88890009, "AUDCLNT_E_INVALID_SIZE"},
    {0x8889000A, "AUDCLNT_E_DEVICE_IN_USE"},
    {0x8889000B, "AUDCLNT_E_BUFFER_OPERATION_PENDING"},
    {0x8889000C, "AUDCLNT_E_THREAD_NOT_REGISTERED"},
    {0x8889000E, "AUDCLNT_E_EXCLUSIVE_MODE_NOT_ALLOWED"},
    {0x8889000F, "AUDCLNT_E_ENDPOINT_CREATE_FAILED"},
    {0x88890010, "AUDCLNT_E_SERVICE_NOT_RUNNING"},
    {0x88890011, "AUDCLNT_E_EVENTHANDLE_NOT_EXPECTED"},
    {0x88890012, "AUDCLNT_E_EXCLUSIVE_MODE_ONLY"},
    {0x88890013, "AUDCLNT_E_BUFDURATION_PERIOD_NOT_EQUAL"},
    {0x88890014, "AUDCLNT_E_EVENTHANDLE_NOT_SET"},
    {0x88890016, "AUDCLNT_E_BUFFER_SIZE_ERROR"},
    {0x88890018, "AUDCLNT_E_BUFFER_ERROR"},
    {0x88890019, "AUDCLNT_E_BUFFER_SIZE_NOT_ALIGNED"},
    {0x88890020, "AUDCLNT_E_INVALID_DEVICE_PERIOD"},
};

}  // namespace

const char* hresultName(HRESULT h) {
  for (const Named& n : kNames) {
    if (n.code == static_cast<unsigned long>(h)) return n.name;
  }
  return "";
}

std::string hresultText(HRESULT h) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08lX", static_cast<unsigned long>(h));
  const std::string name = hresultName(h);
  return name.empty() ? hex : std::string(hex) + " " + name;
}

int exitFor(HRESULT h) {
  // Wine answers these for what it has not implemented (loopback capture, session enumeration).
  return h == E_NOTIMPL || h == AUDCLNT_E_WRONG_ENDPOINT_TYPE ? kNotImplemented : kCallFailed;
}

std::string utf8(const wchar_t* w) {
  if (!w) return "";
  const int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, nullptr, 0, nullptr, nullptr);
  if (n <= 1) return "";
  std::string s(static_cast<size_t>(n - 1), '\0');
  WideCharToMultiByte(CP_UTF8, 0, w, -1, s.data(), n, nullptr, nullptr);
  return s;
}

std::wstring wide(const std::string& s) {
  const int n = MultiByteToWideChar(CP_UTF8, 0, s.c_str(), -1, nullptr, 0);
  if (n <= 1) return L"";
  std::wstring w(static_cast<size_t>(n - 1), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, s.c_str(), -1, w.data(), n);
  return w;
}

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", u);
      out += esc;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void fail(const std::string& what, const std::string& expected, const std::string& seen) {
  std::fprintf(stderr, "hilt-wasapi: %s: expected %s, seen %s\n", what.c_str(), expected.c_str(), seen.c_str());
  std::fflush(stderr);
}

int failCall(const char* command, const char* call, HRESULT h) {
  fail(std::string(command) + ": " + call + " failed", "S_OK", hresultText(h));
  return exitFor(h);
}

std::string endpointId(IMMDevice* d) {
  LPWSTR id = nullptr;
  if (FAILED(d->GetId(&id))) return "";
  std::string s = utf8(id);
  CoTaskMemFree(id);
  return s;
}

std::string friendlyName(IMMDevice* d) {
  Com<IPropertyStore> props;
  if (FAILED(d->OpenPropertyStore(STGM_READ, props.put()))) return "";
  PROPVARIANT v;
  PropVariantInit(&v);
  std::string name;
  if (SUCCEEDED(props->GetValue(PKEY_Device_FriendlyName, &v)) && v.vt == VT_LPWSTR) name = utf8(v.pwszVal);
  PropVariantClear(&v);
  return name;
}

int findEndpoint(IMMDeviceEnumerator* e, EDataFlow flow, const std::string& spec, Com<IMMDevice>& out, const char* command) {
  const char* flowName = flow == eRender ? "render" : "capture";
  if (spec.empty() || spec == "default") {
    const HRESULT h = e->GetDefaultAudioEndpoint(flow, eConsole, out.put());
    if (SUCCEEDED(h)) return kOk;
    fail(std::string(command) + ": no default " + flowName + " endpoint", "GetDefaultAudioEndpoint to answer S_OK",
         hresultText(h));
    return kNoEndpoint;
  }
  if (SUCCEEDED(e->GetDevice(wide(spec).c_str(), out.put()))) return kOk;
  // Not an id: a friendly name among the active endpoints of that flow.
  Com<IMMDeviceCollection> all;
  HRESULT h = e->EnumAudioEndpoints(flow, DEVICE_STATE_ACTIVE, all.put());
  if (FAILED(h)) return failCall(command, "IMMDeviceEnumerator::EnumAudioEndpoints", h);
  UINT count = 0;
  all->GetCount(&count);
  std::string names;
  for (UINT i = 0; i < count; ++i) {
    Com<IMMDevice> d;
    if (FAILED(all->Item(i, d.put()))) continue;
    const std::string name = friendlyName(d.p);
    if (name == spec) {
      out.p = d.p;
      d.p = nullptr;
      return kOk;
    }
    names += (names.empty() ? "" : ", ") + jsonString(name);
  }
  fail(std::string(command) + ": no active " + flowName + " endpoint " + jsonString(spec),
       std::string("an endpoint id or the friendly name of an active ") + flowName + " endpoint",
       count ? names : std::string("no active ") + flowName + " endpoints");
  return kNoEndpoint;
}

bool isFloat32(const WAVEFORMATEX* f) {
  bool isFloat = f->wFormatTag == WAVE_FORMAT_IEEE_FLOAT;
  if (f->wFormatTag == WAVE_FORMAT_EXTENSIBLE) {
    isFloat = reinterpret_cast<const WAVEFORMATEXTENSIBLE*>(f)->SubFormat == KSDATAFORMAT_SUBTYPE_IEEE_FLOAT;
  }
  return isFloat && f->wBitsPerSample == 32;
}

bool isInt16(const WAVEFORMATEX* f) {
  bool isPcm = f->wFormatTag == WAVE_FORMAT_PCM;
  if (f->wFormatTag == WAVE_FORMAT_EXTENSIBLE) {
    isPcm = reinterpret_cast<const WAVEFORMATEXTENSIBLE*>(f)->SubFormat == KSDATAFORMAT_SUBTYPE_PCM;
  }
  return isPcm && f->wBitsPerSample == 16;
}

std::string describeFormat(const WAVEFORMATEX* f) {
  char text[80];
  const char* kind = isFloat32(f) ? "float32" : isInt16(f) ? "int16" : "other";
  std::snprintf(text, sizeof text, "%s%s/%uch/%luHz", kind, kind[0] == 'o' ? std::to_string(f->wBitsPerSample).c_str() : "",
                f->nChannels, static_cast<unsigned long>(f->nSamplesPerSec));
  return text;
}

}  // namespace hiltwasapi
