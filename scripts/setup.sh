#!/usr/bin/env bash
# Installs what eventface needs on Debian 12 and builds it. Idempotent: a
# second run installs nothing and rebuilds only what changed.
#
#   scripts/setup.sh [BUILD_DIR] [extra cmake arguments...]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$root/build"}
shift || true

packages=(
  build-essential cmake ninja-build pkg-config git
  libopencv-dev libvips-dev libheif1 libde265-0 libsodium-dev
  nlohmann-json3-dev libspdlog-dev libcli11-dev
  libsoci-dev libpq-dev libsqlite3-dev postgresql
  librestinio-dev libasio-dev libfmt-dev libhttp-parser-dev
  libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev unzip
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
    grep -q 'install ok installed' || missing+=("$package")
done
# Node may come from elsewhere (it brings its own npm); only a machine
# without it gets Debian's.
command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The face models come from the pinned npm package.
if [[ ! -f "$root/node_modules/@vladmandic/face-api/package.json" ]]; then
  echo "setup: fetching the face-api models (npm ci)"
  (cd "$root" && npm ci --ignore-scripts --no-audit --no-fund)
fi

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$build"
