#!/usr/bin/env bash
# hilt's reaper: outlives hilt by design. It reads "pid N", "unpid N" and "dir PATH" lines on
# stdin; when stdin closes (hilt finished, crashed or was SIGKILLed) it kills every process still
# tracked and removes every tracked directory. Event-driven: it sleeps in read(), never polls.
trap '' INT TERM HUP QUIT
# Indexed by pid (a sparse array), not associative: macOS ships bash 3.2, which has no declare -A.
pids=()
dirs=()
while IFS=' ' read -r verb arg; do
  case "$verb" in
    pid) pids[$arg]=1 ;;
    unpid) unset "pids[$arg]" ;;
    dir) dirs+=("$arg") ;;
  esac
done
for p in "${!pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
for d in "${dirs[@]}"; do
  # Only ever our own temp dirs (the harness registers nothing else).
  case "$d" in */hilt-*) rm -rf -- "$d" ;; esac
done
