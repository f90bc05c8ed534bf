#include "wasapi_engine.h"

#include <cmath>
#include <cstdio>
#include <new>

#include "clock_log.h"

namespace hiltwin {

namespace {

constexpr double kTwoPi = 6.283185307179586;
constexpr REFERENCE_TIME kBufferHns = 200000;  // 20 ms: a period of 10 ms with room for one more
constexpr DWORD kJoinDeadlineMs = 2000;         // a join never hangs the finalizer for ever (seed 001)
constexpr DWORD kPeriodWaitMs = 20;             // two periods: a lost event still lets the thread run

std::string hr(const char* what, HRESULT h) {
  char text[96];
  std::snprintf(text, sizeof text, "%s failed: 0x%08lX", what, static_cast<unsigned long>(h));
  return text;
}

// The pointer is left as it is: a render thread still running (bug switch no-shutdown) goes on
// calling the released object, as a binding that forgot to stop it would.
void releaseCom(IUnknown* p) {
  if (p) p->Release();
}

// Fills what the device has room for with the engine's sine. Reads the engine's fields on every
// call: once the engine is freed, this faults (numchuck's crash).
void renderPeriod(Engine* e) {
  UINT32 padding = 0;
  if (FAILED(e->client->GetCurrentPadding(&padding))) return;
  const UINT32 frames = e->bufferFrames - padding;
  if (frames == 0) return;
  BYTE* data = nullptr;
  if (FAILED(e->render->GetBuffer(frames, &data))) return;
  const double step = kTwoPi * e->hz / e->sampleRate;
  for (UINT32 f = 0; f < frames; ++f) {
    const float v = e->amplitude * static_cast<float>(std::sin(e->phase));
    e->phase += step;
    if (e->phase >= kTwoPi) e->phase -= kTwoPi;
    for (WORD c = 0; c < e->channels; ++c) {
      if (e->isFloat) reinterpret_cast<float*>(data)[f * e->channels + c] = v;
      else reinterpret_cast<INT16*>(data)[f * e->channels + c] = static_cast<INT16>(v * 32767.0f);
    }
  }
  e->render->ReleaseBuffer(frames, 0);
}

DWORD WINAPI renderMain(void* arg) {
  auto* e = static_cast<Engine*>(arg);
  // Its own apartment: it only calls the objects main made, which WASAPI allows from any thread.
  const HRESULT co = CoInitializeEx(nullptr, COINIT_MULTITHREADED);
  while (!e->stopRequested.load()) {
    WaitForSingleObject(e->event, kPeriodWaitMs);
    if (e->stopRequested.load()) break;
    if (const int kind = e->crashRequest.load()) crashNow(static_cast<CrashKind>(kind), "render");
    renderPeriod(e);
  }
  if (SUCCEEDED(co)) CoUninitialize();
  return 0;
}

bool readMixFormat(Engine* e, std::string& error) {
  WAVEFORMATEX* mix = nullptr;
  const HRESULT h = e->client->GetMixFormat(&mix);
  if (FAILED(h)) {
    error = hr("IAudioClient::GetMixFormat", h);
    return false;
  }
  e->channels = mix->nChannels;
  e->sampleRate = mix->nSamplesPerSec;
  bool isFloat = mix->wFormatTag == WAVE_FORMAT_IEEE_FLOAT;
  if (mix->wFormatTag == WAVE_FORMAT_EXTENSIBLE) {
    isFloat = reinterpret_cast<WAVEFORMATEXTENSIBLE*>(mix)->SubFormat == KSDATAFORMAT_SUBTYPE_IEEE_FLOAT;
  }
  e->isFloat = isFloat && mix->wBitsPerSample == 32;
  const bool usable = e->isFloat || mix->wBitsPerSample == 16;
  HRESULT init = E_FAIL;
  if (usable) {
    init = e->client->Initialize(AUDCLNT_SHAREMODE_SHARED, AUDCLNT_STREAMFLAGS_EVENTCALLBACK, kBufferHns, 0, mix,
                                 nullptr);
  }
  CoTaskMemFree(mix);
  if (!usable) error = "mix format neither float32 nor int16";
  else if (FAILED(init)) error = hr("IAudioClient::Initialize", init);
  return usable && SUCCEEDED(init);
}

bool makeComObjects(Engine* e, std::string& error) {
  HRESULT h = CoCreateInstance(__uuidof(MMDeviceEnumerator), nullptr, CLSCTX_ALL, __uuidof(IMMDeviceEnumerator),
                               reinterpret_cast<void**>(&e->enumerator));
  if (FAILED(h)) return error = hr("CoCreateInstance(MMDeviceEnumerator)", h), false;
  h = e->enumerator->GetDefaultAudioEndpoint(eRender, eConsole, &e->device);
  if (FAILED(h)) return error = hr("GetDefaultAudioEndpoint", h), false;
  h = e->device->Activate(__uuidof(IAudioClient), CLSCTX_ALL, nullptr, reinterpret_cast<void**>(&e->client));
  if (FAILED(h)) return error = hr("IMMDevice::Activate(IAudioClient)", h), false;
  if (!readMixFormat(e, error)) return false;
  h = e->client->GetBufferSize(&e->bufferFrames);
  if (FAILED(h)) return error = hr("IAudioClient::GetBufferSize", h), false;
  h = e->client->SetEventHandle(e->event);
  if (FAILED(h)) return error = hr("IAudioClient::SetEventHandle", h), false;
  h = e->client->GetService(__uuidof(IAudioRenderClient), reinterpret_cast<void**>(&e->render));
  if (FAILED(h)) return error = hr("IAudioClient::GetService(IAudioRenderClient)", h), false;
  return true;
}

}  // namespace

Engine* createEngine(int id, double hz, std::string& error) {
  // Like a page heap: the engine has pages of its own, so once VirtualFree(MEM_RELEASE) returns
  // them, a later access (the render thread's next period) is an access violation (0xC0000005)
  // instead of a read of stale heap memory that may go unnoticed. The address range may be reused
  // by a later allocation (1 of 12 runs under Wine faulted reading address 0 instead).
  void* pages = VirtualAlloc(nullptr, sizeof(Engine), MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  if (!pages) {
    error = "VirtualAlloc failed: " + std::to_string(GetLastError());
    return nullptr;
  }
  auto* e = new (pages) Engine();
  e->id = id;
  e->hz = hz;
  e->ownerThread = GetCurrentThreadId();
  // Apartment-threaded on the creating thread, as RtAudio's WASAPI backend does (CoInitialize).
  const HRESULT co = CoInitializeEx(nullptr, COINIT_APARTMENTTHREADED);
  e->comStarted = SUCCEEDED(co);
  e->event = CreateEventW(nullptr, FALSE, FALSE, nullptr);
  if (!e->event || !makeComObjects(e, error)) {
    releaseEngine(e);
    freeEngine(e);
    return nullptr;
  }
  return e;
}

void warmUpAudio() {
  std::string ignored;
  Engine* e = createEngine(0, 660.0, ignored);
  if (!e) return;
  releaseEngine(e);
  freeEngine(e);
}

bool startEngine(Engine* e, std::string& error) {
  // Silence first, so the client starts with a full buffer instead of an underrun.
  BYTE* data = nullptr;
  if (SUCCEEDED(e->render->GetBuffer(e->bufferFrames, &data))) {
    e->render->ReleaseBuffer(e->bufferFrames, AUDCLNT_BUFFERFLAGS_SILENT);
  }
  e->thread = CreateThread(nullptr, 0, renderMain, e, 0, nullptr);
  if (!e->thread) {
    error = "CreateThread failed: " + std::to_string(GetLastError());
    return false;
  }
  const HRESULT h = e->client->Start();
  if (FAILED(h)) {
    error = hr("IAudioClient::Start", h);
    stopEngine(e, false);
    return false;
  }
  return true;
}

bool stopEngine(Engine* e, bool stopClient) {
  e->stopRequested = true;
  if (e->event) SetEvent(e->event);  // wakes the render thread now rather than at its next period
  if (stopClient && e->client) e->client->Stop();
  if (!e->thread) return true;
  if (WaitForSingleObject(e->thread, kJoinDeadlineMs) != WAIT_OBJECT_0) return false;
  CloseHandle(e->thread);
  e->thread = nullptr;
  return true;
}

void releaseEngine(Engine* e) {
  releaseCom(e->render);
  releaseCom(e->client);
  releaseCom(e->device);
  releaseCom(e->enumerator);
  if (e->comStarted.exchange(false)) CoUninitialize();  // pairs with createEngine's CoInitializeEx
}

void freeEngine(Engine* e) {
  if (e->event) CloseHandle(e->event);  // here, not in release: a thread may still wait on it
  if (e->thread) CloseHandle(e->thread);
  e->~Engine();
  VirtualFree(e, 0, MEM_RELEASE);
}

std::string describeFormat(const Engine* e) {
  char text[64];
  std::snprintf(text, sizeof text, "%s/%uch/%luHz", e->isFloat ? "float32" : "int16", e->channels,
                static_cast<unsigned long>(e->sampleRate));
  return text;
}

}  // namespace hiltwin
