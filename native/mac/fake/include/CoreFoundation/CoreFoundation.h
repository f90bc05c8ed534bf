// FAKE for running hilt_coreaudio.c on Linux (fake_coreaudio.c): only what it uses; never part of the macOS build.
#pragma once
#include <stdint.h>
#include <stdbool.h>
typedef uint32_t UInt32; typedef int32_t SInt32; typedef int32_t OSStatus; typedef unsigned char Boolean; typedef long CFIndex;
typedef const void *CFTypeRef; typedef unsigned long CFTypeID;
typedef const struct __CFString *CFStringRef; typedef const struct __CFArray *CFArrayRef;
typedef const struct __CFDictionary *CFDictionaryRef; typedef struct __CFDictionary *CFMutableDictionaryRef;
typedef const struct __CFNumber *CFNumberRef; typedef const struct __CFBoolean *CFBooleanRef; typedef const struct __CFAllocator *CFAllocatorRef;
typedef UInt32 CFStringEncoding; enum { kCFStringEncodingUTF8 = 0x08000100 };
typedef enum { kCFNumberSInt32Type = 3, kCFNumberIntType = 9 } CFNumberType;
typedef enum { kCFCompareLessThan = -1, kCFCompareEqualTo = 0 } CFComparisonResult;
typedef struct { int x; } CFDictionaryKeyCallBacks; typedef struct { int x; } CFDictionaryValueCallBacks;
extern const CFDictionaryKeyCallBacks kCFTypeDictionaryKeyCallBacks; extern const CFDictionaryValueCallBacks kCFTypeDictionaryValueCallBacks;
CFStringRef __CFStringMakeConstantString(const char *);
#define CFSTR(s) __CFStringMakeConstantString("" s "")
CFIndex CFStringGetLength(CFStringRef); CFIndex CFStringGetMaximumSizeForEncoding(CFIndex, CFStringEncoding);
Boolean CFStringGetCString(CFStringRef, char *, CFIndex, CFStringEncoding);
CFStringRef CFStringCreateWithCString(CFAllocatorRef, const char *, CFStringEncoding);
CFComparisonResult CFStringCompare(CFStringRef, CFStringRef, unsigned long);
void CFRelease(CFTypeRef); CFTypeID CFGetTypeID(CFTypeRef); CFTypeID CFBooleanGetTypeID(void); CFTypeID CFNumberGetTypeID(void); CFTypeID CFStringGetTypeID(void);
Boolean CFBooleanGetValue(CFBooleanRef); Boolean CFNumberGetValue(CFNumberRef, CFNumberType, void *);
CFNumberRef CFNumberCreate(CFAllocatorRef, CFNumberType, const void *);
const void *CFDictionaryGetValue(CFDictionaryRef, const void *);
CFMutableDictionaryRef CFDictionaryCreateMutable(CFAllocatorRef, CFIndex, const CFDictionaryKeyCallBacks *, const CFDictionaryValueCallBacks *);
void CFDictionarySetValue(CFMutableDictionaryRef, const void *, const void *);
CFIndex CFArrayGetCount(CFArrayRef); const void *CFArrayGetValueAtIndex(CFArrayRef, CFIndex);
#define noErr 0
