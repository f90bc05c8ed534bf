#!/usr/bin/env bash
# The comparison point for `pnpm bench`: kill9 as one would script it by hand with pactl and
# fixed sleeps. Runs against the rig whose environment it inherits.
set -u
engine=$1
ctl=$(mktemp -u /tmp/hilt-byhand.XXXXXX)
mkfifo "$ctl"
exec 3<>"$ctl"   # held open here, so the engines' stdin (the fifo) never reads EOF until we exit
( while :; do head -c 96000 /dev/zero || break; done ) | pacat --playback --raw --format=s16le --rate=48000 --channels=1 \
  --device=hilt-observed --property=application.name=by-hand-victim & victim=$!
sleep 1                                   # "give the victim time to start"
"$engine" --output hilt-observed <"$ctl" > /dev/null & e1=$!
sleep 1                                   # "give the engine time to tap"
kill -9 $e1; sleep 1                      # "let the server notice"
pactl list short modules | grep -c hilt-engine > /dev/null
"$engine" --output hilt-observed <"$ctl" > /dev/null & e2=$!
sleep 1                                   # "give the relaunch time to sweep"
pactl list short modules | grep -c "hilt-engine-$e1" > /dev/null
kill -TERM $e2; sleep 1                   # "let it stop"
kill $victim 2>/dev/null
rm -f "$ctl"
