// `hilt-wasapi play` and `capture`: s16le mono 48 kHz on stdin or stdout, an endpoint in shared
// mode on the other side, converted to and from its mix format here (channels) or by WASAPI (rate).
#include <fcntl.h>
#include <io.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "wasapi_common.h"

namespace hiltwasapi {

namespace {

constexpr REFERENCE_TIME kBufferHns = 400000;  // 40 ms: small, so stdin's writer sets the pace
constexpr UINT32 kChunkFrames = kRate / 100;   // 10 ms read from stdin at a time
constexpr DWORD kWaitMs = 50;                  // a lost event still lets the loop run

struct Stream {
  Com<IMMDeviceEnumerator> enumerator;
  Com<IMMDevice> device;
  Com<IAudioClient> client;
  HANDLE event = nullptr;
  WORD channels = 0;
  bool isFloat = false;
  UINT32 bufferFrames = 0;
  std::string describe;  // "\"hilt-observed\" ({id}) float32/2ch/48000Hz"
  ~Stream() {
    if (event) CloseHandle(event);
  }
};

// The mix format as it is when it is float32 or int16 at 48 kHz; else float32 at 48 kHz converted
// by WASAPI (AUTOCONVERTPCM), or a clear error where the system refuses that.
int initialize(Stream& s, const char* command, DWORD flags) {
  WAVEFORMATEX* mix = nullptr;
  HRESULT h = s.client->GetMixFormat(&mix);
  if (FAILED(h)) return failCall(command, "IAudioClient::GetMixFormat", h);
  const std::string mixText = describeFormat(mix);
  const bool asIs = (isFloat32(mix) || isInt16(mix)) && mix->nSamplesPerSec == kRate;
  WAVEFORMATEXTENSIBLE want = {};
  if (!asIs) {
    want.Format.wFormatTag = WAVE_FORMAT_EXTENSIBLE;
    want.Format.nChannels = mix->nChannels;
    want.Format.nSamplesPerSec = kRate;
    want.Format.wBitsPerSample = 32;
    want.Format.nBlockAlign = static_cast<WORD>(mix->nChannels * 4);
    want.Format.nAvgBytesPerSec = kRate * want.Format.nBlockAlign;
    want.Format.cbSize = sizeof(WAVEFORMATEXTENSIBLE) - sizeof(WAVEFORMATEX);
    want.Samples.wValidBitsPerSample = 32;
    want.dwChannelMask = mix->wFormatTag == WAVE_FORMAT_EXTENSIBLE ? reinterpret_cast<WAVEFORMATEXTENSIBLE*>(mix)->dwChannelMask : 0;
    want.SubFormat = KSDATAFORMAT_SUBTYPE_IEEE_FLOAT;
    flags |= AUDCLNT_STREAMFLAGS_AUTOCONVERTPCM | AUDCLNT_STREAMFLAGS_SRC_DEFAULT_QUALITY;
  }
  const WAVEFORMATEX* use = asIs ? mix : &want.Format;
  s.channels = use->nChannels;
  s.isFloat = isFloat32(use);
  h = s.client->Initialize(AUDCLNT_SHAREMODE_SHARED, flags, kBufferHns, 0, use, nullptr);
  CoTaskMemFree(mix);
  if (FAILED(h) && !asIs) {
    fail(std::string(command) + ": the mix format " + mixText + " cannot be converted from s16le mono 48 kHz",
         "IAudioClient::Initialize with AUTOCONVERTPCM|SRC_DEFAULT_QUALITY (float32 48000 Hz) to answer S_OK", hresultText(h));
    return kFormat;
  }
  if (FAILED(h)) return failCall(command, "IAudioClient::Initialize", h);
  s.describe += " " + mixText + (asIs ? "" : " (converted by WASAPI from 48000 Hz)");
  return kOk;
}

int open(Stream& s, const char* command, EDataFlow flow, const std::string& spec, bool loopback) {
  HRESULT h = CoCreateInstance(__uuidof(MMDeviceEnumerator), nullptr, CLSCTX_ALL, __uuidof(IMMDeviceEnumerator),
                               s.enumerator.putVoid());
  if (FAILED(h)) return failCall(command, "CoCreateInstance(MMDeviceEnumerator)", h);
  if (const int rc = findEndpoint(s.enumerator.p, flow, spec, s.device, command)) return rc;
  s.describe = jsonString(friendlyName(s.device.p)) + " (" + endpointId(s.device.p) + ")";
  h = s.device->Activate(__uuidof(IAudioClient), CLSCTX_ALL, nullptr, s.client.putVoid());
  if (FAILED(h)) return failCall(command, "IMMDevice::Activate(IAudioClient)", h);
  // Loopback is polled: an event-driven loopback stream is not signalled before Windows 10 1703.
  if (const int rc = initialize(s, command, loopback ? AUDCLNT_STREAMFLAGS_LOOPBACK : AUDCLNT_STREAMFLAGS_EVENTCALLBACK)) return rc;
  if (!loopback) {
    s.event = CreateEventW(nullptr, FALSE, FALSE, nullptr);
    h = s.client->SetEventHandle(s.event);
    if (FAILED(h)) return failCall(command, "IAudioClient::SetEventHandle", h);
  }
  h = s.client->GetBufferSize(&s.bufferFrames);
  if (FAILED(h)) return failCall(command, "IAudioClient::GetBufferSize", h);
  return kOk;
}

// Mono samples into the device's frames: every channel gets the same sample.
void writeFrames(const Stream& s, const int16_t* in, UINT32 frames, BYTE* out) {
  for (UINT32 f = 0; f < frames; ++f) {
    for (WORD c = 0; c < s.channels; ++c) {
      if (s.isFloat) reinterpret_cast<float*>(out)[f * s.channels + c] = in[f] / 32768.0f;
      else reinterpret_cast<int16_t*>(out)[f * s.channels + c] = in[f];
    }
  }
}

// Device frames to mono: the mean of the channels, as parecord's --channels=1 downmix.
void readFrames(const Stream& s, const BYTE* in, UINT32 frames, bool silent, std::vector<int16_t>& out) {
  out.resize(frames);
  for (UINT32 f = 0; f < frames; ++f) {
    float sum = 0;
    for (WORD c = 0; c < s.channels && !silent; ++c) {
      sum += s.isFloat ? reinterpret_cast<const float*>(in)[f * s.channels + c]
                       : reinterpret_cast<const int16_t*>(in)[f * s.channels + c] / 32768.0f;
    }
    const float v = std::clamp(sum / s.channels, -1.0f, 1.0f);
    out[f] = static_cast<int16_t>(std::lround(v * 32767.0f));
  }
}

// One chunk from stdin into the device, waiting for room; false with `rc` set on a failed call.
bool playChunk(Stream& s, IAudioRenderClient* render, const int16_t* in, UINT32 frames, int& rc) {
  while (frames > 0) {
    UINT32 padding = 0;
    HRESULT h = s.client->GetCurrentPadding(&padding);
    if (FAILED(h)) return rc = failCall("play", "IAudioClient::GetCurrentPadding", h), false;
    const UINT32 room = std::min(s.bufferFrames - padding, frames);
    if (room == 0) {
      WaitForSingleObject(s.event, kWaitMs);
      continue;
    }
    BYTE* data = nullptr;
    h = render->GetBuffer(room, &data);
    if (FAILED(h)) return rc = failCall("play", "IAudioRenderClient::GetBuffer", h), false;
    writeFrames(s, in, room, data);
    render->ReleaseBuffer(room, 0);
    in += room;
    frames -= room;
  }
  return true;
}

}  // namespace

int playCommand(const std::string& endpoint) {
  _setmode(_fileno(stdin), _O_BINARY);
  Stream s;
  if (const int rc = open(s, "play", eRender, endpoint, false)) return rc;
  Com<IAudioRenderClient> render;
  HRESULT h = s.client->GetService(__uuidof(IAudioRenderClient), render.putVoid());
  if (FAILED(h)) return failCall("play", "IAudioClient::GetService(IAudioRenderClient)", h);
  std::vector<int16_t> chunk(kChunkFrames);
  bool started = false;
  int rc = kOk;
  for (;;) {
    const size_t got = std::fread(chunk.data(), sizeof(int16_t), kChunkFrames, stdin);
    if (got > 0 && !playChunk(s, render.p, chunk.data(), static_cast<UINT32>(got), rc)) return rc;
    // Started once there is audio in the buffer, so it does not begin with an underrun.
    if (!started && got > 0) {
      h = s.client->Start();
      if (FAILED(h)) return failCall("play", "IAudioClient::Start", h);
      started = true;
      std::fprintf(stderr, "hilt-wasapi: playing on %s, buffer %u frames\n", s.describe.c_str(), s.bufferFrames);
      std::fflush(stderr);
    }
    if (got < kChunkFrames) break;  // EOF (or a broken stdin): what was read is played out
  }
  // What is still buffered is played before the stream stops (at most the 40 ms buffer).
  for (int i = 0; started && i < 20; ++i) {
    UINT32 padding = 0;
    if (FAILED(s.client->GetCurrentPadding(&padding)) || padding == 0) break;
    WaitForSingleObject(s.event, 10);
  }
  if (started) s.client->Stop();
  return kOk;
}

int captureCommand(const std::string& endpoint, bool loopback) {
  _setmode(_fileno(stdout), _O_BINARY);
  Stream s;
  const char* command = loopback ? "capture --loopback" : "capture";
  if (const int rc = open(s, command, loopback ? eRender : eCapture, endpoint, loopback)) return rc;
  Com<IAudioCaptureClient> cap;
  HRESULT h = s.client->GetService(__uuidof(IAudioCaptureClient), cap.putVoid());
  if (FAILED(h)) return failCall(command, "IAudioClient::GetService(IAudioCaptureClient)", h);
  h = s.client->Start();
  if (FAILED(h)) return failCall(command, "IAudioClient::Start", h);
  std::fprintf(stderr, "hilt-wasapi: capturing %s%s, buffer %u frames\n", loopback ? "the loopback of " : "", s.describe.c_str(),
               s.bufferFrames);
  std::fflush(stderr);
  std::vector<int16_t> mono;
  for (;;) {
    if (loopback) Sleep(5);
    else WaitForSingleObject(s.event, kWaitMs);
    UINT32 packet = 0;
    while (SUCCEEDED(h = cap->GetNextPacketSize(&packet)) && packet > 0) {
      BYTE* data = nullptr;
      UINT32 frames = 0;
      DWORD flags = 0;
      h = cap->GetBuffer(&data, &frames, &flags, nullptr, nullptr);
      if (FAILED(h)) break;
      readFrames(s, data, frames, (flags & AUDCLNT_BUFFERFLAGS_SILENT) != 0, mono);
      cap->ReleaseBuffer(frames);
      // Nobody reads any more (hilt ended): the capture ends too.
      if (std::fwrite(mono.data(), sizeof(int16_t), mono.size(), stdout) != mono.size()) return kIo;
    }
    if (FAILED(h)) return failCall(command, "IAudioCaptureClient::GetNextPacketSize/GetBuffer", h);
    if (std::fflush(stdout) != 0) return kIo;
  }
}

}  // namespace hiltwasapi
