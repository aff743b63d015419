#!/usr/bin/env bash
# Installs what eventface needs, builds it twice and runs every test: once
# optimised (the build users get) and once under AddressSanitizer and
# UndefinedBehaviorSanitizer. Tests that need ../shared find it through
# EVENTFACE_SHARED (default: ../shared beside this tree).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

"$root/scripts/setup.sh" "$root/build" -DEVENTFACE_WERROR=ON

# A private PostgreSQL server for the store and jobs tests: its own data
# folder, free port and socket folder, reachable only on 127.0.0.1 and the
# socket, trust authentication. Stopped on exit, also when tests fail; the
# system's own cluster is never touched. initdb refuses to run as root, so
# root runs the server as the postgres user.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_dir=$(mktemp -d /tmp/eventface-pg.XXXXXX)
as_pg=()
if ((EUID == 0)); then
  chown postgres "$pg_dir"
  as_pg=(runuser -u postgres --)
fi
stop_test_postgres() {
  if [[ -f "$pg_dir/data/postmaster.pid" ]]; then
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop \
      >/dev/null || true
  fi
  rm -rf "$pg_dir"
}
trap stop_test_postgres EXIT
pg_port=55432
while (exec 3<>"/dev/tcp/127.0.0.1/$pg_port") 2>/dev/null; do
  pg_port=$((pg_port + 1))
done
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U eventface -A trust \
  --no-sync >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off \
      -c max_connections=400" start >/dev/null ||
  { cat "$pg_dir/server.log"; exit 1; }
"${as_pg[@]}" "$pg_bin/createdb" -h "$pg_dir" -p "$pg_port" -U eventface \
  eventface_test
export EVENTFACE_TEST_PG="postgresql://eventface@127.0.0.1:$pg_port/eventface_test"
echo "test: PostgreSQL on port $pg_port ($pg_dir)"

ctest --test-dir "$root/build" --output-on-failure -j "$jobs"

# The sanitizers slow the networks down several times; the end-to-end runs
# of the binary are already covered above, so this pass runs the rest.
"$root/scripts/setup.sh" "$root/build-sanitize" -DEVENTFACE_WERROR=ON \
  -DEVENTFACE_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  LSAN_OPTIONS="suppressions=$root/tests/lsan.supp" \
  ctest --test-dir "$root/build-sanitize" --output-on-failure -j "$jobs" \
  --label-exclude e2e
