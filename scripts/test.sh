#!/usr/bin/env bash
# Installs what eventface needs, builds it twice and runs every test: once
# optimised (the build users get) and once under AddressSanitizer and
# UndefinedBehaviorSanitizer. Tests that need ../shared find it through
# EVENTFACE_SHARED (default: ../shared beside this tree).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

"$root/scripts/setup.sh" "$root/build" -DEVENTFACE_WERROR=ON
ctest --test-dir "$root/build" --output-on-failure -j "$jobs"

# The sanitizers slow the networks down several times; the end-to-end runs
# of the binary are already covered above, so this pass runs the rest.
"$root/scripts/setup.sh" "$root/build-sanitize" -DEVENTFACE_WERROR=ON \
  -DEVENTFACE_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  LSAN_OPTIONS="suppressions=$root/tests/lsan.supp" \
  ctest --test-dir "$root/build-sanitize" --output-on-failure -j "$jobs" \
  --label-exclude e2e
