#!/usr/bin/env bash
# hilt's reaper: outlives hilt by design. It reads lines on stdin:
#   pid N / unpid N                              a process to kill
#   dir PATH / undir PATH                        a directory to remove (only */hilt-*)
#   pulse-module INDEX ADDRESS / unpulse-module INDEX ADDRESS
#                                                a module hilt loaded on a Pulse server not its own
#   cgroup PATH                                  hilt's cgroup (only */hilt-*): every target's group is in it
# It says "ready" on stdout first. When stdin closes (hilt finished, crashed or was SIGKILLed) it kills every process still tracked
# and every process in a tracked cgroup (whatever it did to escape), unloads every module still
# tracked, then removes every tracked directory and cgroup. Event-driven: it sleeps
# in read(), never polls.
trap '' INT TERM HUP QUIT
# hilt waits for this line before it launches a target; nothing else is written to its pipe.
echo ready
exec >/dev/null
# Indexed by pid (a sparse array), not associative: macOS ships bash 3.2, which has no declare -A.
pids=()
dirs=()
# "INDEX ADDRESS" entries: two servers may each have a module with the same index.
modules=()
cgroups=()

# A Pulse module line is exactly a decimal index and an address without spaces; anything else is skipped.
valid_module() {
  case "$1" in '' | *[!0-9]*) return 1 ;; esac
  case "$2" in '' | *[[:space:]]*) return 1 ;; esac
  return 0
}

# Every entry equal to $1 is dropped (unset keeps the other indices valid; no namerefs in bash 3.2).
forget_dir() {
  local i
  for i in "${!dirs[@]}"; do [ "${dirs[$i]}" = "$1" ] && unset "dirs[$i]"; done
}
forget_module() {
  local i
  for i in "${!modules[@]}"; do [ "${modules[$i]}" = "$1" ] && unset "modules[$i]"; done
}

while IFS=' ' read -r verb arg; do
  case "$verb" in
    pid) pids[$arg]=1 ;;
    unpid) unset "pids[$arg]" ;;
    dir) dirs+=("$arg") ;;
    cgroup) case "$arg" in */hilt-*) cgroups+=("$arg") ;; esac ;;
    # A released lock dir may be taken by another run before we end: it must not be removed then.
    undir) forget_dir "$arg" ;;
    pulse-module | unpulse-module)
      index=${arg%% *}
      address=${arg#* }
      [ "$index" = "$arg" ] && address=
      valid_module "$index" "$address" || continue
      forget_module "$index $address"
      [ "$verb" = pulse-module ] && modules+=("$index $address")
      ;;
  esac
done
for p in "${!pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
# Empty: no live process in the group or below it. A zombie stays a member until its parent reaps
# it, and a container's init may take its time: it is dead already, nothing to wait for or kill.
empty() {
  local p state
  for p in $(find "$1" -name cgroup.procs -exec cat {} + 2>/dev/null); do
    state=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ] && return 1
  done
  return 0
}
for g in "${cgroups[@]}"; do
  [ -d "$g" ] || continue
  # A target's own helpers clean up after its death first (the reference engine's guardian destroys
  # its taps on the user's server when the engine dies, in about 10 ms): up to 0.5 s for the group
  # to empty by itself.
  for _ in $(seq 1 25); do empty "$g" && break; sleep 0.02; done
  # Then cgroup.kill: SIGKILL to whatever is left in the group and the groups below it, at once.
  empty "$g" || echo 1 >"$g/cgroup.kill" 2>/dev/null
  # Until the kernel says the group is empty (bounded: 3 s), then the groups, deepest first.
  for _ in $(seq 1 150); do empty "$g" && break; sleep 0.02; done
  find "$g" -depth -type d -exec rmdir {} \; 2>/dev/null
done
# macOS has no timeout(1) unless coreutils is installed: pactl then runs unbounded.
bound=()
command -v timeout >/dev/null 2>&1 && bound=(timeout 3)
if [ ${#modules[@]} -gt 0 ]; then
  # libpulse writes ~/.config/pulse/cookie when it finds none: a cookie of ours, removed after.
  cookie_dir=$(mktemp -d "${TMPDIR:-/tmp}/hilt-reaper-XXXXXX")
  for m in "${modules[@]}"; do
    # After the kills, so no tracked process is left to use (or re-load) the module.
    PULSE_COOKIE=$cookie_dir/cookie PULSE_SERVER=${m#* } "${bound[@]}" pactl unload-module "${m%% *}" </dev/null >/dev/null 2>&1
  done
  rm -rf -- "$cookie_dir"
fi
for d in "${dirs[@]}"; do
  # Only ever our own temp dirs (the harness registers nothing else).
  case "$d" in */hilt-*) rm -rf -- "$d" ;; esac
done
