// A FAKE CoreAudio, CoreFoundation and Objective-C runtime, so that hilt_coreaudio.c runs on Linux and its
// JSON is read by hilt's parsers (harness/rig/coreaudio/fake-helper.test.ts). What it answers is made up:
// speakers (74), BlackHole 2ch (96, both defaults), a private aggregate (112) whose UID needs escaping, a
// tap (160) on pid 5150, one audio process (88). FAKE_OLD=1: a macOS without taps and process objects.
// Aggregate UIDs "phantom-1" answer 'nope', "broken" answers 'what'. Never part of the macOS build.
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint32_t UInt32;
typedef int32_t OSStatus;
typedef long CFIndex;

// Every CF object is one struct: a string, an array (items), a dictionary (items -> vals), a number or a tap description.
enum { T_STR = 1, T_ARR, T_DICT, T_NUM, T_BOOL, T_DESC };
typedef struct O {
  int t;
  const char *s;
  long n;
  int len;
  const struct O *items[8];
  const struct O *vals[8];
} O;

static O *mk(int t) {
  O *o = calloc(1, sizeof *o);
  o->t = t;
  return o;
}
static O *str(const char *s) {
  O *o = mk(T_STR);
  o->s = strdup(s);
  return o;
}
static O *num(long n) {
  O *o = mk(T_NUM);
  o->n = n;
  return o;
}

// ---- CoreFoundation: objects are never freed (a process that lives for one answer) ----
const void *__CFStringMakeConstantString(const char *s) { return str(s); }
CFIndex CFStringGetLength(const O *s) { return (CFIndex)strlen(s->s); }
CFIndex CFStringGetMaximumSizeForEncoding(CFIndex n, UInt32 e) { return (void)e, n * 4; }
unsigned char CFStringGetCString(const O *s, char *b, CFIndex n, UInt32 e) { return (void)e, snprintf(b, (size_t)n, "%s", s->s), 1; }
const O *CFStringCreateWithCString(void *a, const char *s, UInt32 e) { return (void)a, (void)e, str(s); }
int CFStringCompare(const O *a, const O *b, unsigned long f) { return (void)f, strcmp(a->s, b->s) ? 1 : 0; }
void CFRelease(const void *o) { (void)o; }
unsigned long CFGetTypeID(const O *o) { return (unsigned long)o->t; }
unsigned long CFBooleanGetTypeID(void) { return T_BOOL; }
unsigned long CFNumberGetTypeID(void) { return T_NUM; }
unsigned long CFStringGetTypeID(void) { return T_STR; }
unsigned char CFBooleanGetValue(const O *o) { return (unsigned char)o->n; }
unsigned char CFNumberGetValue(const O *o, int type, void *out) {
  if (type == 3) *(int32_t *)out = (int32_t)o->n; // kCFNumberSInt32Type
  else *(int *)out = (int)o->n;
  return 1;
}
const O *CFNumberCreate(void *a, int t, const void *v) { return (void)a, (void)t, num(*(const int *)v); }
const void *CFDictionaryGetValue(const O *d, const void *k) {
  for (int i = 0; i < d->len; i++)
    if (!strcmp(d->items[i]->s, ((const O *)k)->s)) return d->vals[i];
  return NULL;
}
O *CFDictionaryCreateMutable(void *a, CFIndex c, const void *k, const void *v) { return (void)a, (void)c, (void)k, (void)v, mk(T_DICT); }
void CFDictionarySetValue(O *d, const void *k, const void *v) {
  d->items[d->len] = k;
  d->vals[d->len++] = v;
}
CFIndex CFArrayGetCount(const O *a) { return a->len; }
const void *CFArrayGetValueAtIndex(const O *a, CFIndex i) { return a->items[i]; }
const int kCFTypeDictionaryKeyCallBacks = 0, kCFTypeDictionaryValueCallBacks = 0;

int sysctlbyname(const char *n, void *v, size_t *l, void *nv, size_t nl) {
  (void)n, (void)nv, (void)nl;
  snprintf(v, *l, "14.6.1");
  return 0;
}

// ---- objc: a SEL is its name; the tap description answers what CATapDescription would ----
const char *sel_registerName(const char *s) { return s; }
const void *object_getClass(const void *o) { return o; }
int class_respondsToSelector(const void *c, const char *s) { return (void)c, (void)s, 1; }
static O *desc_name, *desc_procs;
intptr_t objc_msgSend(const O *self, const char *sel) {
  (void)self;
  if (!strcmp(sel, "name")) return (intptr_t)desc_name;
  if (!strcmp(sel, "processes")) return (intptr_t)desc_procs;
  if (!strcmp(sel, "muteBehavior")) return 2; // CATapMutedWhenTapped
  return 0; // isExclusive, isPrivate
}

// ---- CoreAudio ----
#define FC(a, b, c, d) (((UInt32)(a) << 24) | ((UInt32)(b) << 16) | ((UInt32)(c) << 8) | (UInt32)(d))
typedef struct {
  UInt32 sel, scope, el;
} Addr;
static const UInt32 devs[] = {74, 96, 112}, taps[] = {160}, procs[] = {88};
static const OSStatus WHO = (OSStatus)FC('w', 'h', 'o', '?');
static int old_macos(void) { return getenv("FAKE_OLD") != NULL; }

int AudioObjectHasProperty(UInt32 o, const Addr *a) {
  (void)o;
  return !(old_macos() && (a->sel == FC('t', 'p', 's', '#') || a->sel == FC('p', 'r', 's', '#')));
}
static int list(const Addr *a, const UInt32 **l) {
  if (a->sel == FC('d', 'e', 'v', '#')) return *l = devs, 3;
  if (a->sel == FC('t', 'p', 's', '#') && !old_macos()) return *l = taps, 1;
  if (a->sel == FC('p', 'r', 's', '#') && !old_macos()) return *l = procs, 1;
  return -1;
}
OSStatus AudioObjectGetPropertyDataSize(UInt32 o, const Addr *a, UInt32 qs, const void *q, UInt32 *size) {
  (void)qs, (void)q;
  const UInt32 *l;
  if (o == 1) {
    int n = list(a, &l);
    if (n < 0) return WHO;
    *size = (UInt32)n * 4;
    return 0;
  }
  if (a->sel == FC('s', 'l', 'a', 'y')) return *size = 64, 0;
  return WHO;
}
static OSStatus put(void *out, UInt32 *size, const void *v, UInt32 n) {
  memcpy(out, v, n);
  *size = n;
  return 0;
}
static OSStatus put_cf(void *out, UInt32 *size, const O *v) { return put(out, size, &v, sizeof v); }
static OSStatus put_u32(void *out, UInt32 *size, UInt32 v) { return put(out, size, &v, 4); }

OSStatus AudioObjectGetPropertyData(UInt32 o, const Addr *a, UInt32 qs, const void *q, UInt32 *size, void *out) {
  (void)qs, (void)q;
  const UInt32 *l;
  if (o == 1) {
    int n = list(a, &l);
    if (n >= 0) return put(out, size, l, (UInt32)n * 4);
    if (a->sel == FC('d', 'O', 'u', 't') || a->sel == FC('d', 'I', 'n', ' ')) return put_u32(out, size, 96);
    return WHO;
  }
  switch (a->sel) {
  case FC('u', 'i', 'd', ' '):
    return put_cf(out, size, str(o == 74 ? "BuiltInSpeakerDevice" : o == 96 ? "BlackHole2ch_UID" : "com.example.agg-4242-0\"q\\"));
  case FC('l', 'n', 'a', 'm'):
    return put_cf(out, size, str(o == 74 ? "MacBook Pro Speakers" : o == 96 ? "BlackHole 2ch" : "FineTune Aggregate"));
  case FC('t', 'r', 'a', 'n'):
    return put_u32(out, size, o == 74 ? FC('b', 'l', 't', 'n') : o == 96 ? FC('v', 'i', 'r', 't') : FC('g', 'r', 'u', 'p'));
  case FC('c', 'l', 'a', 's'):
    return put_u32(out, size, o == 112 ? FC('a', 'a', 'g', 'g') : FC('a', 'd', 'e', 'v'));
  case FC('s', 'l', 'a', 'y'): { // an AudioBufferList of one buffer: the speakers have no input
    UInt32 buf[16] = {0};
    buf[0] = 1;
    buf[2] = (o == 74 && a->scope == FC('i', 'n', 'p', 't')) ? 0 : 2;
    return put(out, size, buf, 64);
  }
  case FC('g', 'r', 'u', 'p'): {
    O *arr = mk(T_ARR);
    arr->items[arr->len++] = str("BlackHole2ch_UID");
    return put_cf(out, size, arr);
  }
  case FC('a', 'c', 'o', 'm'): {
    O *d = mk(T_DICT);
    CFDictionarySetValue(d, str("private"), num(1));
    return put_cf(out, size, d);
  }
  case FC('t', 'u', 'i', 'd'):
    return put_cf(out, size, str("7C1F3E2A-0D4B-4E8F-9A61-3B2C5D6E7F80"));
  case FC('t', 'd', 's', 'c'):
    desc_name = str("FineTune tap 4242");
    desc_procs = mk(T_ARR);
    desc_procs->items[desc_procs->len++] = num(88);
    return put_cf(out, size, mk(T_DESC));
  case FC('p', 'p', 'i', 'd'): {
    int32_t pid = 5150;
    return put(out, size, &pid, 4);
  }
  case FC('p', 'b', 'i', 'd'):
    return put_cf(out, size, str("")); // a command-line program has no bundle id
  case FC('p', 'i', 'r', '?'):
  case FC('p', 'i', 'r', 'o'):
    return put_u32(out, size, 1);
  case FC('p', 'i', 'r', 'i'):
    return put_u32(out, size, 0);
  }
  return WHO;
}

OSStatus AudioHardwareCreateAggregateDevice(const O *d, UInt32 *out) {
  const O *uid = CFDictionaryGetValue(d, str("uid"));
  if (!strcmp(uid->s, "phantom-1")) return (OSStatus)FC('n', 'o', 'p', 'e');
  if (!strcmp(uid->s, "broken")) return (OSStatus)FC('w', 'h', 'a', 't');
  *out = 200;
  return 0;
}
OSStatus AudioHardwareDestroyAggregateDevice(UInt32 o) { return (void)o, 0; }
OSStatus AudioHardwareDestroyProcessTap(UInt32 o) { return (void)o, 0; }
