// hilt-coreaudio: what hilt's CoreAudio rig asks of macOS (harness/rig/coreaudio-rig.ts), through
// CoreAudio's C API, one JSON document on stdout per subcommand (read by harness/rig/coreaudio/parse.ts).
//   devices                 every device: id, uid, name, transport, channels, defaults, aggregate facts
//   taps                    process taps (macOS 14.2+), or {"supported":false,...}
//   processes               audio process objects (macOS 14+): pid and whether each plays or records
//   phantom-probe UID       re-create an aggregate with UID: 'nope' means an ownerless phantom has it
//   destroy-aggregate ID    AudioHardwareDestroyAggregateDevice
//   destroy-tap ID          AudioHardwareDestroyProcessTap (macOS 14.2+)
// Exit: 0 ok, 2 usage, 3 not found, 1 error (one line on stderr naming the OSStatus).
#include <CoreAudio/CoreAudio.h>
#include <CoreFoundation/CoreFoundation.h>
#include <objc/message.h>
#include <objc/runtime.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysctl.h>
#include <sys/types.h>

enum { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_USAGE = 2, EXIT_NOT_FOUND = 3 };

#define FOURCC(a, b, c, d) (((UInt32)(a) << 24) | ((UInt32)(b) << 16) | ((UInt32)(c) << 8) | (UInt32)(d))

// Selectors of macOS 14 and 14.2, spelled out so that an older SDK still builds (and says unsupported).
static const UInt32 SEL_TAP_LIST = FOURCC('t', 'p', 's', '#');          // kAudioHardwarePropertyTapList
static const UInt32 SEL_PROCESS_LIST = FOURCC('p', 'r', 's', '#');      // kAudioHardwarePropertyProcessObjectList
static const UInt32 SEL_TAP_UID = FOURCC('t', 'u', 'i', 'd');           // kAudioTapPropertyUID
static const UInt32 SEL_TAP_DESCRIPTION = FOURCC('t', 'd', 's', 'c');   // kAudioTapPropertyDescription
static const UInt32 SEL_PROCESS_PID = FOURCC('p', 'p', 'i', 'd');       // kAudioProcessPropertyPID
static const UInt32 SEL_PROCESS_BUNDLE = FOURCC('p', 'b', 'i', 'd');    // kAudioProcessPropertyBundleID
static const UInt32 SEL_PROCESS_RUNNING = FOURCC('p', 'i', 'r', '?');   // kAudioProcessPropertyIsRunning
static const UInt32 SEL_PROCESS_RUN_IN = FOURCC('p', 'i', 'r', 'i');    // kAudioProcessPropertyIsRunningInput
static const UInt32 SEL_PROCESS_RUN_OUT = FOURCC('p', 'i', 'r', 'o');   // kAudioProcessPropertyIsRunningOutput
static const OSStatus STATUS_NOPE = (OSStatus)FOURCC('n', 'o', 'p', 'e'); // kAudioHardwareIllegalOperationError

static const char *command = "";

// 'nope' (1852797029) where the four bytes are printable, as CoreAudio's headers write codes; else the number.
static void status_text(OSStatus st, char *out, size_t n) {
  UInt32 u = (UInt32)st;
  char c[4] = {(char)(u >> 24), (char)(u >> 16), (char)(u >> 8), (char)u};
  bool printable = st != 0;
  for (int i = 0; i < 4; i++) printable = printable && c[i] >= 0x20 && c[i] < 0x7f;
  if (printable)
    snprintf(out, n, "'%c%c%c%c' (%d)", c[0], c[1], c[2], c[3], (int)st);
  else
    snprintf(out, n, "%d", (int)st);
}

__attribute__((noreturn, format(printf, 2, 3))) static void die(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "hilt-coreaudio: %s: ", command);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(code);
}

__attribute__((noreturn)) static void die_status(const char *call, OSStatus st) {
  char s[48];
  status_text(st, s, sizeof s);
  die(EXIT_ERROR, "%s failed: OSStatus %s", call, s);
}

// ---- JSON out ----

static void json_string(const char *s) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      printf("\\%c", *p);
    else if (*p < 0x20)
      printf("\\u%04x", *p);
    else
      putchar(*p);
  }
  putchar('"');
}

// A CFString as UTF-8 into a malloc'd buffer the caller frees; NULL for NULL.
static char *cf_utf8(CFStringRef s) {
  if (!s) return NULL;
  CFIndex max = CFStringGetMaximumSizeForEncoding(CFStringGetLength(s), kCFStringEncodingUTF8) + 1;
  char *buf = malloc((size_t)max);
  if (!buf) die(EXIT_ERROR, "out of memory");
  if (!CFStringGetCString(s, buf, max, kCFStringEncodingUTF8)) buf[0] = '\0';
  return buf;
}

static void json_cfstring_or_null(CFStringRef s) {
  char *u = cf_utf8(s);
  if (u)
    json_string(u);
  else
    fputs("null", stdout);
  free(u);
}

static void json_bool_or_null(int v) { fputs(v < 0 ? "null" : v ? "true" : "false", stdout); }

static void print_macos(void) {
  char v[64] = "";
  size_t len = sizeof v;
  if (sysctlbyname("kern.osproductversion", v, &len, NULL, 0) != 0) strcpy(v, "unknown");
  fputs("\"macos\":", stdout);
  json_string(v);
}

// ---- properties ----

static AudioObjectPropertyAddress address(UInt32 selector, UInt32 scope) {
  // Element 0 is kAudioObjectPropertyElementMain, a name only the macOS 12 SDK has (before: ...Master).
  AudioObjectPropertyAddress a = {selector, scope, 0};
  return a;
}

static OSStatus get_u32(AudioObjectID obj, UInt32 selector, UInt32 scope, UInt32 *out) {
  AudioObjectPropertyAddress a = address(selector, scope);
  UInt32 size = sizeof *out;
  return AudioObjectGetPropertyData(obj, &a, 0, NULL, &size, out);
}

// A CF-typed property (string, array, dictionary): retained, the caller releases; NULL on failure.
static CFTypeRef get_cf(AudioObjectID obj, UInt32 selector, OSStatus *status) {
  AudioObjectPropertyAddress a = address(selector, kAudioObjectPropertyScopeGlobal);
  CFTypeRef v = NULL;
  UInt32 size = sizeof v;
  OSStatus st = AudioObjectGetPropertyData(obj, &a, 0, NULL, &size, &v);
  if (status) *status = st;
  return st == noErr ? v : NULL;
}

// An AudioObjectID list property of the system object; *n objects, malloc'd (the caller frees).
static AudioObjectID *get_list(UInt32 selector, UInt32 *n, const char *name) {
  AudioObjectPropertyAddress a = address(selector, kAudioObjectPropertyScopeGlobal);
  UInt32 size = 0;
  OSStatus st = AudioObjectGetPropertyDataSize(kAudioObjectSystemObject, &a, 0, NULL, &size);
  if (st != noErr) die_status(name, st);
  AudioObjectID *ids = malloc(size ? size : 1);
  if (!ids) die(EXIT_ERROR, "out of memory");
  st = AudioObjectGetPropertyData(kAudioObjectSystemObject, &a, 0, NULL, &size, ids);
  if (st != noErr) die_status(name, st);
  *n = size / (UInt32)sizeof(AudioObjectID);
  return ids;
}

static bool system_has(UInt32 selector) {
  AudioObjectPropertyAddress a = address(selector, kAudioObjectPropertyScopeGlobal);
  return AudioObjectHasProperty(kAudioObjectSystemObject, &a);
}

// The channels of every stream on one side; -1 where the configuration cannot be read.
static long channels(AudioObjectID dev, UInt32 scope) {
  AudioObjectPropertyAddress a = address(kAudioDevicePropertyStreamConfiguration, scope);
  UInt32 size = 0;
  if (AudioObjectGetPropertyDataSize(dev, &a, 0, NULL, &size) != noErr || size == 0) return -1;
  AudioBufferList *list = malloc(size);
  if (!list) die(EXIT_ERROR, "out of memory");
  long total = -1;
  if (AudioObjectGetPropertyData(dev, &a, 0, NULL, &size, list) == noErr) {
    total = 0;
    for (UInt32 i = 0; i < list->mNumberBuffers; i++) total += list->mBuffers[i].mNumberChannels;
  }
  free(list);
  return total;
}

static const char *transport_word(UInt32 t, char *other) {
  switch (t) {
  case FOURCC('b', 'l', 't', 'n'): return "builtin";
  case FOURCC('g', 'r', 'u', 'p'): return "aggregate";
  case FOURCC('f', 'g', 'r', 'p'): return "autoaggregate";
  case FOURCC('v', 'i', 'r', 't'): return "virtual";
  case FOURCC('p', 'c', 'i', ' '): return "pci";
  case FOURCC('u', 's', 'b', ' '): return "usb";
  case FOURCC('1', '3', '9', '4'): return "firewire";
  case FOURCC('b', 'l', 'u', 'e'): return "bluetooth";
  case FOURCC('b', 'l', 'e', 'a'): return "bluetooth-le";
  case FOURCC('h', 'd', 'm', 'i'): return "hdmi";
  case FOURCC('d', 'p', 'r', 't'): return "displayport";
  case FOURCC('a', 'i', 'r', 'p'): return "airplay";
  case FOURCC('e', 'a', 'v', 'b'): return "avb";
  case FOURCC('t', 'h', 'u', 'n'): return "thunderbolt";
  case FOURCC('c', 'c', 'w', 'd'): return "continuity-wired";
  case FOURCC('c', 'c', 'w', 'l'): return "continuity-wireless";
  case 0: return "unknown";
  default:
    // A transport this helper does not name: its four characters, for hilt to print as they are.
    for (int i = 0; i < 4; i++) {
      char c = (char)(t >> (24 - 8 * i));
      other[i] = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?';
    }
    other[4] = '\0';
    return other;
  }
}

static bool is_aggregate(AudioObjectID dev) {
  UInt32 cls = 0;
  return get_u32(dev, kAudioObjectPropertyClass, kAudioObjectPropertyScopeGlobal, &cls) == noErr && cls == kAudioAggregateDeviceClassID;
}

// The aggregate's "private" flag from its composition: 1, 0, or -1 where unreadable.
static int aggregate_private(AudioObjectID dev) {
  CFDictionaryRef comp = (CFDictionaryRef)get_cf(dev, kAudioAggregateDevicePropertyComposition, NULL);
  if (!comp) return -1;
  int result = -1;
  CFTypeRef v = CFDictionaryGetValue(comp, CFSTR(kAudioAggregateDeviceIsPrivateKey));
  if (v && CFGetTypeID(v) == CFBooleanGetTypeID()) {
    result = CFBooleanGetValue((CFBooleanRef)v) ? 1 : 0;
  } else if (v && CFGetTypeID(v) == CFNumberGetTypeID()) {
    int n = 0;
    if (CFNumberGetValue((CFNumberRef)v, kCFNumberIntType, &n)) result = n != 0;
  } else if (!v) {
    result = 0; // the key is absent from a public aggregate's composition
  }
  CFRelease(comp);
  return result;
}

static void print_sub_devices(AudioObjectID dev) {
  CFArrayRef subs = (CFArrayRef)get_cf(dev, kAudioAggregateDevicePropertyFullSubDeviceList, NULL);
  putchar('[');
  if (subs) {
    for (CFIndex i = 0; i < CFArrayGetCount(subs); i++) {
      CFTypeRef s = CFArrayGetValueAtIndex(subs, i);
      if (i) putchar(',');
      json_cfstring_or_null(s && CFGetTypeID(s) == CFStringGetTypeID() ? (CFStringRef)s : NULL);
    }
    CFRelease(subs);
  }
  putchar(']');
}

// ---- subcommands ----

static int cmd_devices(void) {
  UInt32 n = 0;
  AudioObjectID *ids = get_list(kAudioHardwarePropertyDevices, &n, "AudioObjectGetPropertyData(kAudioHardwarePropertyDevices)");
  AudioObjectID def_in = kAudioObjectUnknown, def_out = kAudioObjectUnknown;
  get_u32(kAudioObjectSystemObject, kAudioHardwarePropertyDefaultInputDevice, kAudioObjectPropertyScopeGlobal, &def_in);
  get_u32(kAudioObjectSystemObject, kAudioHardwarePropertyDefaultOutputDevice, kAudioObjectPropertyScopeGlobal, &def_out);
  putchar('{');
  print_macos();
  fputs(",\"devices\":[", stdout);
  for (UInt32 i = 0; i < n; i++) {
    AudioObjectID d = ids[i];
    CFStringRef uid = (CFStringRef)get_cf(d, kAudioDevicePropertyDeviceUID, NULL);
    CFStringRef name = (CFStringRef)get_cf(d, kAudioObjectPropertyName, NULL);
    UInt32 transport = 0;
    get_u32(d, kAudioDevicePropertyTransportType, kAudioObjectPropertyScopeGlobal, &transport);
    char other[5];
    long in = channels(d, kAudioObjectPropertyScopeInput), out = channels(d, kAudioObjectPropertyScopeOutput);
    printf("%s{\"id\":%u,\"uid\":", i ? "," : "", (unsigned)d);
    char *u = cf_utf8(uid), *nm = cf_utf8(name);
    json_string(u ? u : "");
    fputs(",\"name\":", stdout);
    json_string(nm ? nm : "");
    fputs(",\"transport\":", stdout);
    json_string(transport_word(transport, other));
    if (in < 0)
      fputs(",\"inputChannels\":null", stdout);
    else
      printf(",\"inputChannels\":%ld", in);
    if (out < 0)
      fputs(",\"outputChannels\":null", stdout);
    else
      printf(",\"outputChannels\":%ld", out);
    printf(",\"defaultInput\":%s,\"defaultOutput\":%s,\"aggregate\":", d == def_in ? "true" : "false", d == def_out ? "true" : "false");
    if (is_aggregate(d)) {
      fputs("{\"private\":", stdout);
      json_bool_or_null(aggregate_private(d));
      fputs(",\"subDevices\":", stdout);
      print_sub_devices(d);
      putchar('}');
    } else {
      fputs("null", stdout);
    }
    putchar('}');
    free(u);
    free(nm);
    if (uid) CFRelease(uid);
    if (name) CFRelease(name);
  }
  fputs("]}\n", stdout);
  free(ids);
  return EXIT_OK;
}

static int print_unsupported(const char *why) {
  putchar('{');
  print_macos();
  fputs(",\"supported\":false,\"why\":", stdout);
  json_string(why);
  fputs("}\n", stdout);
  return EXIT_OK;
}

static bool responds(id obj, SEL sel) { return class_respondsToSelector(object_getClass(obj), sel); }

// A tap's CATapDescription (an Objective-C object) read through the runtime, so this file stays C:
// NSString and NSArray of NSNumber are toll-free bridged to CFString and CFArray of CFNumber.
static void print_tap_description(AudioObjectID tap) {
  OSStatus st = noErr;
  id desc = (id)get_cf(tap, SEL_TAP_DESCRIPTION, &st);
  if (!desc) {
    char s[48];
    status_text(st, s, sizeof s);
    printf(",\"name\":null,\"processes\":[],\"exclusive\":null,\"mute\":null,\"private\":null,\"error\":");
    char msg[96];
    snprintf(msg, sizeof msg, "kAudioTapPropertyDescription: OSStatus %s", s);
    json_string(msg);
    return;
  }
  SEL s_name = sel_registerName("name"), s_procs = sel_registerName("processes");
  SEL s_excl = sel_registerName("isExclusive"), s_mute = sel_registerName("muteBehavior"), s_priv = sel_registerName("isPrivate");
  fputs(",\"name\":", stdout);
  json_cfstring_or_null(responds(desc, s_name) ? (CFStringRef)((id(*)(id, SEL))objc_msgSend)(desc, s_name) : NULL);
  fputs(",\"processes\":[", stdout);
  CFArrayRef procs = responds(desc, s_procs) ? (CFArrayRef)((id(*)(id, SEL))objc_msgSend)(desc, s_procs) : NULL;
  for (CFIndex i = 0; procs && i < CFArrayGetCount(procs); i++) {
    AudioObjectID obj = 0;
    CFNumberGetValue((CFNumberRef)CFArrayGetValueAtIndex(procs, i), kCFNumberSInt32Type, &obj);
    pid_t pid = 0;
    AudioObjectPropertyAddress a = address(SEL_PROCESS_PID, kAudioObjectPropertyScopeGlobal);
    UInt32 size = sizeof pid;
    bool known = AudioObjectGetPropertyData(obj, &a, 0, NULL, &size, &pid) == noErr;
    printf("%s{\"object\":%u,\"pid\":", i ? "," : "", (unsigned)obj);
    if (known)
      printf("%d}", (int)pid);
    else
      fputs("null}", stdout);
  }
  fputs("],\"exclusive\":", stdout);
  json_bool_or_null(responds(desc, s_excl) ? ((BOOL(*)(id, SEL))objc_msgSend)(desc, s_excl) != 0 : -1);
  fputs(",\"mute\":", stdout);
  if (responds(desc, s_mute)) {
    long m = ((long (*)(id, SEL))objc_msgSend)(desc, s_mute); // CATapMuteBehavior
    fputs(m == 0 ? "\"unmuted\"" : m == 1 ? "\"muted\"" : m == 2 ? "\"muted-when-tapped\"" : "null", stdout);
  } else {
    fputs("null", stdout);
  }
  fputs(",\"private\":", stdout);
  json_bool_or_null(responds(desc, s_priv) ? ((BOOL(*)(id, SEL))objc_msgSend)(desc, s_priv) != 0 : -1);
  CFRelease((CFTypeRef)desc);
}

static int cmd_taps(void) {
  if (!system_has(SEL_TAP_LIST))
    return print_unsupported(
        "kAudioHardwarePropertyTapList is not a property of this system object (process taps need macOS 14.2 or later)");
  UInt32 n = 0;
  AudioObjectID *ids = get_list(SEL_TAP_LIST, &n, "AudioObjectGetPropertyData(kAudioHardwarePropertyTapList)");
  putchar('{');
  print_macos();
  fputs(",\"supported\":true,\"taps\":[", stdout);
  for (UInt32 i = 0; i < n; i++) {
    CFStringRef uid = (CFStringRef)get_cf(ids[i], SEL_TAP_UID, NULL);
    printf("%s{\"id\":%u,\"uid\":", i ? "," : "", (unsigned)ids[i]);
    char *u = cf_utf8(uid);
    json_string(u ? u : "");
    free(u);
    if (uid) CFRelease(uid);
    print_tap_description(ids[i]);
    putchar('}');
  }
  fputs("]}\n", stdout);
  free(ids);
  return EXIT_OK;
}

static int cmd_processes(void) {
  if (!system_has(SEL_PROCESS_LIST))
    return print_unsupported(
        "kAudioHardwarePropertyProcessObjectList is not a property of this system object (audio process objects need macOS 14 or later)");
  UInt32 n = 0;
  AudioObjectID *ids = get_list(SEL_PROCESS_LIST, &n, "AudioObjectGetPropertyData(kAudioHardwarePropertyProcessObjectList)");
  putchar('{');
  print_macos();
  fputs(",\"supported\":true,\"processes\":[", stdout);
  for (UInt32 i = 0; i < n; i++) {
    pid_t pid = -1;
    AudioObjectPropertyAddress a = address(SEL_PROCESS_PID, kAudioObjectPropertyScopeGlobal);
    UInt32 size = sizeof pid;
    AudioObjectGetPropertyData(ids[i], &a, 0, NULL, &size, &pid);
    UInt32 run = 0, run_in = 0, run_out = 0;
    get_u32(ids[i], SEL_PROCESS_RUNNING, kAudioObjectPropertyScopeGlobal, &run);
    get_u32(ids[i], SEL_PROCESS_RUN_IN, kAudioObjectPropertyScopeGlobal, &run_in);
    get_u32(ids[i], SEL_PROCESS_RUN_OUT, kAudioObjectPropertyScopeGlobal, &run_out);
    CFStringRef bundle = (CFStringRef)get_cf(ids[i], SEL_PROCESS_BUNDLE, NULL);
    printf("%s{\"object\":%u,\"pid\":%d,\"bundleId\":", i ? "," : "", (unsigned)ids[i], (int)pid);
    // An empty bundle id (a command-line program) is said as none.
    json_cfstring_or_null(bundle && CFStringGetLength(bundle) > 0 ? bundle : NULL);
    printf(",\"running\":%s,\"runningInput\":%s,\"runningOutput\":%s}", run ? "true" : "false", run_in ? "true" : "false",
           run_out ? "true" : "false");
    if (bundle) CFRelease(bundle);
  }
  fputs("]}\n", stdout);
  free(ids);
  return EXIT_OK;
}

// The listed device whose UID is `uid`, or kAudioObjectUnknown.
static AudioObjectID device_by_uid(CFStringRef uid) {
  UInt32 n = 0;
  AudioObjectID *ids = get_list(kAudioHardwarePropertyDevices, &n, "AudioObjectGetPropertyData(kAudioHardwarePropertyDevices)");
  AudioObjectID found = kAudioObjectUnknown;
  for (UInt32 i = 0; i < n && found == kAudioObjectUnknown; i++) {
    CFStringRef u = (CFStringRef)get_cf(ids[i], kAudioDevicePropertyDeviceUID, NULL);
    if (u && CFStringCompare(u, uid, 0) == kCFCompareEqualTo) found = ids[i];
    if (u) CFRelease(u);
  }
  free(ids);
  return found;
}

// The answer's start, written only once the result is known: a failure leaves stdout empty.
static void print_probe(const char *uid_text, const char *result) {
  fputs("{\"uid\":", stdout);
  json_string(uid_text);
  printf(",\"result\":\"%s\"", result);
}

static int cmd_phantom_probe(const char *uid_text) {
  CFStringRef uid = CFStringCreateWithCString(NULL, uid_text, kCFStringEncodingUTF8);
  if (!uid) die(EXIT_USAGE, "the UID is not UTF-8");
  AudioObjectID listed = device_by_uid(uid);
  if (listed != kAudioObjectUnknown) {
    print_probe(uid_text, "listed");
    printf(",\"id\":%u}\n", (unsigned)listed);
    CFRelease(uid);
    return EXIT_OK;
  }
  // Private: should this process die before destroying it, the probe goes with it (it cannot leave a phantom).
  int one = 1;
  CFNumberRef yes = CFNumberCreate(NULL, kCFNumberIntType, &one);
  CFMutableDictionaryRef desc =
      CFDictionaryCreateMutable(NULL, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
  CFDictionarySetValue(desc, CFSTR(kAudioAggregateDeviceUIDKey), uid);
  CFDictionarySetValue(desc, CFSTR(kAudioAggregateDeviceNameKey), CFSTR("hilt phantom probe"));
  CFDictionarySetValue(desc, CFSTR(kAudioAggregateDeviceIsPrivateKey), yes);
  AudioObjectID made = kAudioObjectUnknown;
  OSStatus st = AudioHardwareCreateAggregateDevice(desc, &made);
  CFRelease(desc);
  CFRelease(yes);
  CFRelease(uid);
  if (st == STATUS_NOPE) {
    char s[48];
    status_text(st, s, sizeof s);
    print_probe(uid_text, "phantom");
    fputs(",\"status\":", stdout);
    json_string(s);
    fputs("}\n", stdout);
    return EXIT_OK;
  }
  if (st != noErr) die_status("AudioHardwareCreateAggregateDevice", st);
  st = AudioHardwareDestroyAggregateDevice(made);
  if (st != noErr) die_status("AudioHardwareDestroyAggregateDevice (of the probe just made; private, it ends with this process)", st);
  print_probe(uid_text, "free");
  fputs("}\n", stdout);
  return EXIT_OK;
}

static AudioObjectID parse_id(const char *text) {
  char *end = NULL;
  unsigned long v = strtoul(text, &end, 10);
  if (!*text || *end || v == 0 || v > 0xffffffffUL) die(EXIT_USAGE, "expected an object id (a positive number), seen \"%s\"", text);
  return (AudioObjectID)v;
}

// Is `id` in the system object's list `selector`?
static bool listed_in(UInt32 selector, AudioObjectID target, const char *name) {
  UInt32 n = 0;
  AudioObjectID *ids = get_list(selector, &n, name);
  bool found = false;
  for (UInt32 i = 0; i < n; i++) found = found || ids[i] == target;
  free(ids);
  return found;
}

static void print_destroyed(const char *what, AudioObjectID obj, CFStringRef uid) {
  printf("{\"destroyed\":\"%s\",\"id\":%u,\"uid\":", what, (unsigned)obj);
  json_cfstring_or_null(uid);
  fputs("}\n", stdout);
}

static int cmd_destroy_aggregate(const char *id_text) {
  AudioObjectID dev = parse_id(id_text);
  if (!listed_in(kAudioHardwarePropertyDevices, dev, "AudioObjectGetPropertyData(kAudioHardwarePropertyDevices)") || !is_aggregate(dev))
    die(EXIT_NOT_FOUND, "no aggregate device %u", (unsigned)dev);
  CFStringRef uid = (CFStringRef)get_cf(dev, kAudioDevicePropertyDeviceUID, NULL);
  OSStatus st = AudioHardwareDestroyAggregateDevice(dev);
  if (st != noErr) die_status("AudioHardwareDestroyAggregateDevice", st);
  print_destroyed("aggregate", dev, uid);
  if (uid) CFRelease(uid);
  return EXIT_OK;
}

static int cmd_destroy_tap(const char *id_text) {
  AudioObjectID tap = parse_id(id_text);
  if (!system_has(SEL_TAP_LIST)) die(EXIT_NOT_FOUND, "no process taps on this macOS (14.2 or later has them)");
  if (!listed_in(SEL_TAP_LIST, tap, "AudioObjectGetPropertyData(kAudioHardwarePropertyTapList)"))
    die(EXIT_NOT_FOUND, "no process tap %u", (unsigned)tap);
  CFStringRef uid = (CFStringRef)get_cf(tap, SEL_TAP_UID, NULL);
#if defined(__MAC_14_2) && __MAC_OS_X_VERSION_MAX_ALLOWED >= __MAC_14_2
  if (__builtin_available(macOS 14.2, *)) {
    OSStatus st = AudioHardwareDestroyProcessTap(tap);
    if (st != noErr) die_status("AudioHardwareDestroyProcessTap", st);
    print_destroyed("tap", tap, uid);
    if (uid) CFRelease(uid);
    return EXIT_OK;
  }
#endif
  if (uid) CFRelease(uid);
  die(EXIT_ERROR, "AudioHardwareDestroyProcessTap: not in this build (an SDK before macOS 14.2) or not on this macOS");
  return EXIT_ERROR;
}

static int usage(void) {
  fputs("usage: hilt-coreaudio devices | taps | processes | phantom-probe UID | destroy-aggregate ID | destroy-tap ID\n", stderr);
  return EXIT_USAGE;
}

int main(int argc, char **argv) {
  if (argc < 2) return usage();
  command = argv[1];
  int rc;
  if (!strcmp(command, "devices") && argc == 2)
    rc = cmd_devices();
  else if (!strcmp(command, "taps") && argc == 2)
    rc = cmd_taps();
  else if (!strcmp(command, "processes") && argc == 2)
    rc = cmd_processes();
  else if (!strcmp(command, "phantom-probe") && argc == 3)
    rc = cmd_phantom_probe(argv[2]);
  else if (!strcmp(command, "destroy-aggregate") && argc == 3)
    rc = cmd_destroy_aggregate(argv[2]);
  else if (!strcmp(command, "destroy-tap") && argc == 3)
    rc = cmd_destroy_tap(argv[2]);
  else
    return usage();
  // A full disk or a closed pipe: the answer was not written, so it is not an answer.
  if (fflush(stdout) != 0 || ferror(stdout)) die(EXIT_ERROR, "writing the answer to stdout failed");
  return rc;
}
