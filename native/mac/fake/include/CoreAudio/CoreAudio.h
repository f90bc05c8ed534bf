// FAKE for running hilt_coreaudio.c on Linux (fake_coreaudio.c): only what it uses; never part of the macOS build.
#pragma once
#include <CoreFoundation/CoreFoundation.h>
typedef UInt32 AudioObjectID; typedef UInt32 AudioObjectPropertySelector; typedef UInt32 AudioObjectPropertyScope; typedef UInt32 AudioObjectPropertyElement;
typedef struct { AudioObjectPropertySelector mSelector; AudioObjectPropertyScope mScope; AudioObjectPropertyElement mElement; } AudioObjectPropertyAddress;
typedef struct { UInt32 mNumberChannels; UInt32 mDataByteSize; void *mData; } AudioBuffer;
typedef struct { UInt32 mNumberBuffers; AudioBuffer mBuffers[1]; } AudioBufferList;
enum { kAudioObjectSystemObject = 1, kAudioObjectUnknown = 0, kAudioObjectPropertyElementMain = 0,
  kAudioObjectPropertyScopeGlobal = 'glob', kAudioObjectPropertyScopeInput = 'inpt', kAudioObjectPropertyScopeOutput = 'outp',
  kAudioHardwarePropertyDevices = 'dev#', kAudioHardwarePropertyDefaultInputDevice = 'dIn ', kAudioHardwarePropertyDefaultOutputDevice = 'dOut',
  kAudioDevicePropertyDeviceUID = 'uid ', kAudioObjectPropertyName = 'lnam', kAudioDevicePropertyTransportType = 'tran',
  kAudioDevicePropertyStreamConfiguration = 'slay', kAudioObjectPropertyClass = 'clas', kAudioAggregateDeviceClassID = 'aagg',
  kAudioAggregateDevicePropertyFullSubDeviceList = 'grup', kAudioAggregateDevicePropertyComposition = 'acom' };
#define kAudioAggregateDeviceUIDKey "uid"
#define kAudioAggregateDeviceNameKey "name"
#define kAudioAggregateDeviceIsPrivateKey "private"
OSStatus AudioObjectGetPropertyDataSize(AudioObjectID, const AudioObjectPropertyAddress *, UInt32, const void *, UInt32 *);
OSStatus AudioObjectGetPropertyData(AudioObjectID, const AudioObjectPropertyAddress *, UInt32, const void *, UInt32 *, void *);
Boolean AudioObjectHasProperty(AudioObjectID, const AudioObjectPropertyAddress *);
OSStatus AudioHardwareCreateAggregateDevice(CFDictionaryRef, AudioObjectID *);
OSStatus AudioHardwareDestroyAggregateDevice(AudioObjectID);
OSStatus AudioHardwareDestroyProcessTap(AudioObjectID);
#define __MAC_14_2 140200
#define __MAC_OS_X_VERSION_MAX_ALLOWED 150000
#define __builtin_available(...) 1
