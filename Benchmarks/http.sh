#!/usr/bin/env bash
# GET /api/v1/members/{id} under wrk on SQLite and on PostgreSQL, beside a bare Hummingbird JSON
# endpoint measured in the same run. Usage:
#   Benchmarks/http.sh                      # SQLite, plus PostgreSQL when BENCH_DATABASE_URL is set
#   BENCH_DURATION=30s BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres Benchmarks/http.sh
# BENCH_DATABASE_URL names a server where this script may create a database (bench_<random>).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${BENCH_DURATION:-30s}
threads=2
connections=64
bin=.build-release/release/tsunagari
if [ ! -x "$bin" ] || [ -n "$(find Sources -newer "$bin" -name '*.swift' | head -n 1)" ]; then
  swift build -c release --scratch-path .build-release --product tsunagari
fi
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$1/$2" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "server on $1 did not start" >&2; exit 1; }

run_wrk() { # label url [token]
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t$threads -c$connections -d"$duration" --latency -H "Authorization: Bearer $3" "$2")
  else
    out=$(wrk -t$threads -c$connections -d"$duration" --latency "$2")
  fi
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)
  printf '| %-44s | %10s | %8s | %8s | %s\n' "$1" "$rps" "$p50" "$p99" "${errors:-}"
}

# A token and a member id to read: member2 reads member4's profile (visible to members).
prepare() { # port
  local token id
  token=$(curl -fs -X POST "http://127.0.0.1:$1/api/v1/sessions" -d '{"email":"member2@example.test","password":"tsunagari-demo"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  id=$(curl -fs -X POST "http://127.0.0.1:$1/api/v1/sessions" -d '{"email":"member4@example.test","password":"tsunagari-demo"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["member"]["id"])')
  echo "$token $id"
}

echo "wrk -t$threads -c$connections -d$duration --latency, $(nproc) cores, server and wrk on one machine"
printf '| %-44s | %10s | %8s | %8s |\n' "endpoint" "req/s" "p50" "p99"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "------------" "----------" "----------"

bare=$(free_port)
"$bin" bench bare-server --port "$bare" & pids+=($!)
wait_up "$bare" json
run_wrk "bare Hummingbird JSON (baseline)" "http://127.0.0.1:$bare/json"

port=$(free_port)
"$bin" demo --members 2000 --data-dir "$work/sqlite" >/dev/null
TSUNAGARI_LOG_LEVEL=warning "$bin" serve --port "$port" --data-dir "$work/sqlite" --rate-limits relaxed & pids+=($!)
wait_up "$port" healthz
read -r token id < <(prepare "$port")
run_wrk "GET /api/v1/members/{id} — SQLite" "http://127.0.0.1:$port/api/v1/members/$id" "$token"

if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  db="bench_$RANDOM$RANDOM"
  psql "$BENCH_DATABASE_URL" -qc "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8'"
  url="${BENCH_DATABASE_URL%/*}/$db"
  DATABASE_URL="$url" "$bin" demo --members 2000 >/dev/null
  pgport=$(free_port)
  DATABASE_URL="$url" TSUNAGARI_LOG_LEVEL=warning "$bin" serve --port "$pgport" --rate-limits relaxed & pids+=($!)
  wait_up "$pgport" healthz
  read -r token id < <(prepare "$pgport")
  run_wrk "GET /api/v1/members/{id} — PostgreSQL" "http://127.0.0.1:$pgport/api/v1/members/$id" "$token"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  psql "$BENCH_DATABASE_URL" -qc "DROP DATABASE $db" || true
fi
