#!/usr/bin/env bash
# Start-up of one instance on an existing database, with and without snapshots of its indexes: how long from the
# process's start until it answers a search. Usage:
#   Benchmarks/startup.sh DATA_DIR                    # SQLite: DATA_DIR holds tsunagari.sqlite
#   DATABASE_URL=postgres://… Benchmarks/startup.sh DATA_DIR   # PostgreSQL; DATA_DIR keeps the snapshots
# A large database comes from `tsunagari bench search --members 1000000 --average-degree 106 --keep` (SQLite; with
# --database-url and --keep for PostgreSQL). The script:
#   1. removes any snapshot and starts the server: every index is built from storage (the "cold" start), then waits
#      for the server to write both snapshots, and stops it;
#   2. starts it again, twice: each loads the snapshots and replays the change logs after them.
# Each start prints the seconds to /healthz, to the first answered search, and the server's own log of each index.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:?usage: Benchmarks/startup.sh DATA_DIR}
bin=${TSUNAGARI_BIN:-.build-release/release/tsunagari}
[ -x "$bin" ] || swift build -c release --scratch-path .build-release --product tsunagari
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$(mktemp)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT
now() { date +%s.%N; }

start() { # label
  local t0 ready answered token
  : >"$log"
  t0=$(now)
  "$bin" serve --host 127.0.0.1 --port "$port" --data-dir "$data" --rate-limits relaxed --bcrypt-cost 12 \
    --index-snapshot-interval 600 --log-level info >"$log" 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.05
  done
  ready=$(now)
  token=$(curl -fs -X POST "http://127.0.0.1:$port/api/v1/accounts" -H 'Content-Type: application/json' \
    -d "{\"email\":\"startup-$RANDOM$RANDOM@example.test\",\"password\":\"startup benchmark passphrase\",\"name\":\"起動 計測\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/search/people?q=%E8%8B%B1%E8%AA%9E%20%E5%96%B6%E6%A5%AD" >/dev/null
  answered=$(now)
  printf '%-52s ready %6.1f s   first search answered %6.1f s\n' "$1" "$(echo "$ready - $t0" | bc)" "$(echo "$answered - $t0" | bc)"
  grep -E "index (loaded from its snapshot|filled from storage|built from storage)|graph index built|search index in memory|(index|search|snapshot\)): [0-9,]+ in [0-9.]+ (s|min)" "$log" |
    sed -E 's/^[^ ]+ //; s/^/    /' || true
}

stop() {
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
}

rm -rf "$data/snapshots"
start "1. no snapshot: every index built from storage"
echo "    waiting for both snapshots…"
t0=$(now)
until [ "$(grep -c "index snapshot written" "$log" || true)" -ge 2 ]; do
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.5
done
grep "index snapshot written" "$log" | sed -E 's/^[^ ]+ //; s/^/    /'
printf '    both written %.1f s after the server was ready; files: %s\n' "$(echo "$(now) - $t0" | bc)" \
  "$(du -sh "$data"/snapshots/*.snapshot | awk '{printf "%s %s  ", $2, $1}' | sed "s|$data/snapshots/||g")"
stop
for run in 2 3; do
  start "$run. from the snapshots, the change logs replayed"
  stop
done
