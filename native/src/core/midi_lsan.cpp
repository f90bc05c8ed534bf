// ASan builds only: PipeWire's libjack (0.3.65, what pw-jack loads) never frees a client's port
// and object pools on jack_client_close, so LeakSanitizer would fail every run that opened MIDI.
// Linked into the executables themselves: the runtime finds this hook only there.
#if defined(__SANITIZE_ADDRESS__)
extern "C" const char* __lsan_default_suppressions() { return "leak:libjack.so.0\n"; }
#endif
