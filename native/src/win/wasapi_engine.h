// A WASAPI render engine with the lifecycle of numchuck's Python bindings: create, start, stop,
// release, free, each a step the caller (a finalizer) must take in that order.
#pragma once
#include <windows.h>
#include <audioclient.h>
#include <mmdeviceapi.h>

#include <atomic>
#include <string>

#include "crash.h"

namespace hiltwin {

struct Engine {
  int id = 0;
  double hz = 660.0;
  float amplitude = 0.2f;
  double phase = 0.0;
  DWORD ownerThread = 0;  // made the COM objects: the only thread allowed to release them

  IMMDeviceEnumerator* enumerator = nullptr;
  IMMDevice* device = nullptr;
  IAudioClient* client = nullptr;
  IAudioRenderClient* render = nullptr;
  HANDLE event = nullptr;   // signalled by the audio client every period
  HANDLE thread = nullptr;  // the render thread
  UINT32 bufferFrames = 0;
  WORD channels = 0;
  DWORD sampleRate = 0;
  bool isFloat = false;     // float32 (Wine's mix format) or int16

  std::atomic<bool> stopRequested{false};
  std::atomic<int> crashRequest{0};  // a CrashKind for the render thread's next period
  std::atomic<bool> comStarted{false};
};

// Allocates the engine with VirtualAlloc and makes its COM objects on the calling thread.
// nullptr (and the reason in `error`) on failure.
Engine* createEngine(int id, double hz, std::string& error);
// Makes and drops one unstarted engine: Wine's winepulse starts its PulseAudio main-loop thread
// at the first IAudioClient::Initialize and keeps it for the life of the process, so a thread
// baseline taken before this would count it as a leak of the first engine.
void warmUpAudio();
// Starts the render thread, then the audio client.
bool startEngine(Engine* e, std::string& error);
// Asks the render thread to stop, stops the client, joins the thread (bounded: false on timeout).
bool stopEngine(Engine* e, bool stopClient);
// Releases the COM objects on the calling thread (it must be the one that made them).
void releaseEngine(Engine* e);
// Closes the handles, then VirtualFree(MEM_RELEASE): afterwards any access to the engine faults.
void freeEngine(Engine* e);

// "float32/2ch/48000Hz"
std::string describeFormat(const Engine* e);

}  // namespace hiltwin
