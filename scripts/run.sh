#!/usr/bin/env bash
# Installs and builds eventface, then runs it on the demo photos: the
# photos of ../shared/datasets/bbt/groups in which Penny appears.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
shared=${EVENTFACE_SHARED:-"$root/../shared"}
"$root/scripts/setup.sh" "$root/build"

if [[ -d "$shared/datasets" ]]; then
  "$root/build/src/eventface" find \
    --selfie "$shared/datasets/bbt/penny/penny1.png" \
    "$shared/datasets/bbt/groups"
else
  echo "run: $shared not found; showing the faces of a demo photo instead"
  "$root/build/src/eventface" faces \
    "$root/node_modules/@vladmandic/face-api/demo/sample1.jpg"
fi
