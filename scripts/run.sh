#!/usr/bin/env bash
# Installs and builds eventface, then runs the service on its embedded
# defaults: HTTP on 127.0.0.1:8080, a SQLite database and the media folder
# under ./data, one face worker per core. Stop it with Ctrl-C.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" "$root/build"
cd "$root"
exec "$root/build/src/eventface" serve --log-level info "$@"
