#!/usr/bin/env bash
# Speed of the engine against the reference JavaScript library, in one run,
# on the six demo photos of the npm package (1920 px wide). Prints one JSON
# line per configuration, then the ratio of photos per second.
#
#   bench/speed.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$root/build"}
rounds=${2:-5}
photos=("$root"/node_modules/@vladmandic/face-api/demo/sample{1,2,3,4,5,6}.jpg)

if [[ ! -d "$root/bench/reference/node_modules" ]]; then
  (cd "$root/bench/reference" && npm ci --ignore-scripts --no-audit --no-fund)
fi

# One thread more than the cores is what `eventface find` uses; the others
# show how the figure depends on it.
cores=$(nproc)
ours=$("$build/bench/engine_speed" --threads $((cores + 1)) --rounds "$rounds" \
  "${photos[@]}")
echo "$ours"
for threads in "$cores" 1; do
  "$build/bench/engine_speed" --threads "$threads" --rounds "$rounds" \
    "${photos[@]}"
done
theirs=$(node "$root/bench/reference/time_face_api.js" --backend wasm \
  --rounds "$rounds" "${photos[@]}")
echo "$theirs"

node -e '
  const ours = JSON.parse(process.argv[1]), theirs = JSON.parse(process.argv[2]);
  const ratio = ours.photos_per_second / theirs.photos_per_second;
  console.log(`eventface ${ours.photos_per_second.toFixed(2)} photos/s, ` +
    `face-api (tfjs wasm) ${theirs.photos_per_second.toFixed(2)} photos/s: ` +
    `${ratio.toFixed(1)}x`);
' "$ours" "$theirs"
