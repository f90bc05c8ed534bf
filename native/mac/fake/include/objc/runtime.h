// FAKE for running hilt_coreaudio.c on Linux (fake_coreaudio.c): only what it uses; never part of the macOS build.
#pragma once
#include <stdbool.h>
typedef struct objc_object *id; typedef struct objc_selector *SEL; typedef struct objc_class *Class; typedef bool BOOL;
SEL sel_registerName(const char *); Class object_getClass(id); BOOL class_respondsToSelector(Class, SEL);
