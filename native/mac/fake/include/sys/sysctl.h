// FAKE for running hilt_coreaudio.c on Linux (fake_coreaudio.c): only what it uses; never part of the macOS build.
#pragma once
#include <stddef.h>
int sysctlbyname(const char *, void *, size_t *, void *, size_t);
