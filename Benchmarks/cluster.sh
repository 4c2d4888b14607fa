#!/usr/bin/env bash
# Throughput of 1, 2 and 3 instances behind nginx (scripts/cluster) on one PostgreSQL filled with demo data, under
# wrk: an authenticated read of the viewer's own profile (GET /api/v1/me), another member's profile
# (GET /api/v1/members/{handle}, with degree and mutual count from the graph index) and a static file
# (GET /static/app.js, no database). Beside each run: where the machine's CPU time went (instances, nginx,
# PostgreSQL, the rest — wrk itself), from /proc. Usage:
#   Benchmarks/cluster.sh
#   BENCH_DURATION=10s BENCH_MEMBERS=2000 BENCH_INSTANCES="1 2 3" Benchmarks/cluster.sh
# Needs nginx, wrk and the PostgreSQL server binaries (scripts/pg-start makes a throwaway cluster, removed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${BENCH_DURATION:-10s}
members=${BENCH_MEMBERS:-2000}
counts=${BENCH_INSTANCES:-1 2 3}
threads=2
connections=64
# BENCH_BIN: a release binary to measure as it is; without it, the release build of this checkout (built when stale).
bin=${BENCH_BIN:-.build-release/release/tsunagari}
if [ -z "${BENCH_BIN:-}" ] && { [ ! -x "$bin" ] || [ -n "$(find Sources -newer "$bin" -name '*.swift' | head -n 1)" ]; }; then
  swift build -c release --scratch-path .build-release --product tsunagari
fi
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
export TSUNAGARI_BIN="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

pg_dir=""
cluster_dir=""
cleanup() {
  rm -rf "${snapshots:-}"
  if [ -n "$cluster_dir" ]; then scripts/cluster stop "$cluster_dir" || true; fi
  if [ -n "$pg_dir" ]; then scripts/pg-stop "$pg_dir" || true; fi
}
trap cleanup EXIT

# One database for every run, filled once: the instances of each run fill their indexes from it at start.
setup=$(scripts/pg-start)
server_url=$(sed -n 's/^export TSUNAGARI_TEST_DATABASE_URL=//p' <<<"$setup")
pg_dir=$(sed -n 's/^export TSUNAGARI_PG_DIR=//p' <<<"$setup")
psql "$server_url" -X -qc "CREATE DATABASE bench TEMPLATE template0 ENCODING 'UTF8'"
url="${server_url%/*}/bench"
started=$SECONDS
DATABASE_URL="$url" "$bin" demo --members "$members" --log-level warning >/dev/null
echo "demo data: $members members in $((SECONDS - started)) s ($bin demo --members $members)"
psql "$url" -X -At -F ' ' -c "SELECT 'database: ' || pg_size_pretty(pg_database_size(current_database())) || ', '
  || (SELECT count(*) FROM members) || ' members, ' || (SELECT count(*) / 2 FROM connections) || ' connections'"

# CPU time of process groups, from /proc: "pid ticks" lines for the instances, nginx (master and workers) and
# PostgreSQL (postmaster and its backends). A process that starts during a run counts from zero.
group_ticks() { # group
  local pids pid master
  case "$1" in
    apps) pids="$CLUSTER_INSTANCE_PIDS" ;;
    nginx) pids="$CLUSTER_NGINX_PID $(pgrep -P "$CLUSTER_NGINX_PID" | tr '\n' ' ')" ;;
    pg) master=$(head -n 1 "$pg_dir/data/postmaster.pid"); pids="$master $(pgrep -P "$master" | tr '\n' ' ')" ;;
  esac
  for pid in $pids; do
    [ -r "/proc/$pid/stat" ] && awk -v p="$pid" '{print p, $14 + $15}' "/proc/$pid/stat"
  done
}
spent() { # before-file after-file: ticks spent between them
  awk 'NR == FNR { before[$1] = $2; next } { total += $2 - before[$1] } END { print total + 0 }' "$1" "$2"
}
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
snapshots=$(mktemp -d)

run_wrk() { # label url token
  local out busy_before hz group
  local auth=()
  if [ -n "$3" ]; then auth=(-H "Authorization: Bearer $3"); fi
  # A short warm-up: the instances open their database connections, nginx its connections to the instances.
  wrk -t$threads -c$connections -d2s "${auth[@]}" "$2" >/dev/null
  for group in apps nginx pg; do group_ticks $group >"$snapshots/$group.before"; done
  busy_before=$(busy_ticks)
  out=$(wrk -t$threads -c$connections -d"$duration" --latency "${auth[@]}" "$2")
  local busy=$(( $(busy_ticks) - busy_before ))
  for group in apps nginx pg; do group_ticks $group >"$snapshots/$group.after"; done
  hz=$(getconf CLK_TCK)
  local instances_cpu nginx_cpu pg_cpu rest
  instances_cpu=$(spent "$snapshots/apps.before" "$snapshots/apps.after")
  nginx_cpu=$(spent "$snapshots/nginx.before" "$snapshots/nginx.after")
  pg_cpu=$(spent "$snapshots/pg.before" "$snapshots/pg.after")
  rest=$(( busy - instances_cpu - nginx_cpu - pg_cpu ))
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)
  cpu() { awk -v t="$1" -v hz="$hz" 'BEGIN { printf "%.1f", t / hz }'; }
  printf '| %-42s | %10s | %8s | %8s | %5s | %5s | %5s | %5s | %5s |%s\n' "$1" "$rps" "$p50" "$p99" \
    "$(cpu "$instances_cpu")" "$(cpu "$nginx_cpu")" "$(cpu "$pg_cpu")" "$(cpu "$rest")" "$(cpu "$busy")" "${errors:+ $errors}"
}

echo "wrk -t$threads -c$connections -d$duration --latency; $(nproc) cores shared by wrk, nginx, the instances and PostgreSQL"
echo "CPU columns: seconds of CPU time during the run (the machine has $(nproc) × ${duration%s} s); rest = wrk and everything else"
printf '| %-42s | %10s | %8s | %8s | %5s | %5s | %5s | %5s | %5s |\n' "instances, endpoint" "req/s" "p50" "p99" "apps" "nginx" "pg" "rest" "busy"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..44})" "------------" "----------" "----------" "-------" "-------" "-------" "-------" "-------"
for n in $counts; do
  eval "$(TSUNAGARI_LOG_LEVEL=warning scripts/cluster start --instances "$n" --database-url "$url" -- --rate-limits relaxed 2>/dev/null)"
  cluster_dir=$CLUSTER_DIR
  session=$(curl -fs -X POST "$CLUSTER_URL/api/v1/sessions" -d '{"email":"member2@example.test","password":"tsunagari-demo"}')
  token=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' <<<"$session")
  handle=$(curl -fs -X POST "$CLUSTER_URL/api/v1/sessions" -d '{"email":"member4@example.test","password":"tsunagari-demo"}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["member"]["handle"])')
  if [ "$n" = 1 ]; then
    direct=${CLUSTER_INSTANCE_URLS%% *}
    run_wrk "1, no nginx: GET /api/v1/me" "$direct/api/v1/me" "$token"
  fi
  run_wrk "$n behind nginx: GET /api/v1/me" "$CLUSTER_URL/api/v1/me" "$token"
  run_wrk "$n behind nginx: GET /api/v1/members/{h}" "$CLUSTER_URL/api/v1/members/$handle" "$token"
  run_wrk "$n behind nginx: GET /static/app.js" "$CLUSTER_URL/static/app.js" ""
  scripts/cluster stop "$cluster_dir"
  cluster_dir=""
done
