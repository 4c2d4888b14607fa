#!/usr/bin/env bash
# The request path under wrk, on SQLite and on PostgreSQL: the static stylesheet (the baseline, measured on the same
# server in the same run), the authenticated reads, a profile page and two writes, each with its ratio to the static
# file. Usage:
#   Benchmarks/http.sh                       # SQLite, plus PostgreSQL when BENCH_DATABASE_URL is set
#   BENCH_DURATION=10s BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres Benchmarks/http.sh
#   BENCH_ONLY=sqlite Benchmarks/http.sh     # one database only (sqlite or postgres)
#   BENCH_ROUNDS=1 Benchmarks/http.sh        # each read once after the static file, not three times in turn
#   BENCH_PAGES=1 Benchmarks/http.sh         # instead: each page's server time, one request at a time
# BENCH_DATABASE_URL names a server where this script may create a database (bench_<random>). Every request asks for
# gzip, as a browser does. The demo data has 2,000 members unless BENCH_MEMBERS says otherwise. Each read is measured
# after the same requests ran for BENCH_WARMUP (1s; 0 for none): the first requests of a fresh server fill its caches,
# 64 at once for one viewer, and would otherwise be most of the 99th percentile (docs/BENCHMARKS.md, round 8).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${BENCH_DURATION:-10s}
members=${BENCH_MEMBERS:-2000}
threads=2
connections=64
bin=${TSUNAGARI_BIN:-.build-release/release/tsunagari}
if [ -z "${TSUNAGARI_BIN:-}" ] && { [ ! -x "$bin" ] || [ -n "$(find Sources -newer "$bin" -name '*.swift' | head -n 1)" ]; }; then
  swift build -c release --scratch-path .build-release --product tsunagari
fi
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

source Benchmarks/demo-login.sh

static_rps=""
static_url=""
rounds=${BENCH_ROUNDS:-3}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
run_wrk() { # label url [wrk arguments…]
  local label=$1 url=$2 out
  shift 2
  if [[ $label == GET* && ${BENCH_WARMUP:-1s} != 0 ]]; then
    wrk -t$threads -c$connections -d"${BENCH_WARMUP:-1s}" -H 'Accept-Encoding: gzip' "$@" "$url" >/dev/null
  fi
  local rps p50 p99 errors ratio baseline
  if [[ $label == GET* && -n $static_url && $url != "$static_url" ]]; then
    # A read is measured in turn with the static file, `rounds` times: the machine's speed drifts from one minute to
    # the next, and a ratio to a static file measured minutes earlier drifted with it. The ratio is the median of the
    # rounds' ratios; req/s and the latencies are those of the median round.
    local i static_out ratios="" list="" outs=()
    for i in $(seq "$rounds"); do
      static_out=$(wrk -t$threads -c$connections -d"$duration" -H 'Accept-Encoding: gzip' "$static_url")
      out=$(WRK_THREADS=$threads wrk -t$threads -c$connections -d"$duration" --latency -H 'Accept-Encoding: gzip' "$@" "$url")
      outs+=("$out")
      local a b
      a=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
      b=$(awk '/Requests\/sec/ {print $2}' <<<"$static_out")
      list="$list $a"
      baseline="${baseline:-} $b"
      ratios="$ratios $(awk -v a="$a" -v b="$b" 'BEGIN { print a / b }')"
    done
    ratio=$(median <<<"$ratios" | awk '{ printf "%.0f%%", 100 * $1 }')
    baseline=$(median <<<"$baseline" | awk '{ printf "%.0f", $1 }')
    rps=$(median <<<"$list")
    out=${outs[0]}
    for i in "${outs[@]}"; do
      awk -v r="$rps" '/Requests\/sec/ { exit ($2 + 0 == r + 0) ? 0 : 1 }' <<<"$i" && out=$i
    done
  else
    out=$(WRK_THREADS=$threads wrk -t$threads -c$connections -d"$duration" --latency -H 'Accept-Encoding: gzip' "$@" "$url")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    [ -z "$static_rps" ] && static_rps=$rps
    ratio=$(awk -v a="$rps" -v b="$static_rps" 'BEGIN { printf "%.0f%%", 100 * a / b }')
    baseline=$static_rps
  fi
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)
  printf '| %-46s | %9s | %6s | %9s | %8s | %8s | %s\n' "$label" "$rps" "$ratio" "$baseline" "$p50" "$p99" "${errors:-}"
}


# One server, already filled: every endpoint in turn. `ids` lists every member id, for the invitations.
measure() { # port database-label ids-file taken-pairs-file
  local port=$1 db=$2 base="http://127.0.0.1:$1"
  static_rps=""
  local reader reader_id reader_handle target target_id target_handle cookie
  read -r reader reader_id reader_handle < <(login "$port" member2@example.test)
  read -r target target_id target_handle < <(login "$port" member4@example.test)
  cookie=$(web_session "$port" member2@example.test)
  local auth=(-H "Authorization: Bearer $reader")
  static_url=""
  run_wrk "GET /static/app.css (baseline) — $db" "$base/static/app.css"
  static_url="$base/static/app.css"
  run_wrk "GET /healthz — $db" "$base/healthz"
  run_wrk "GET /api/v1/me — $db" "$base/api/v1/me" "${auth[@]}"
  run_wrk "GET /api/v1/members/{handle} — $db" "$base/api/v1/members/$target_handle" "${auth[@]}"
  run_wrk "GET /api/v1/me/connections — $db" "$base/api/v1/me/connections" "${auth[@]}"
  run_wrk "GET /api/v1/network/suggestions — $db" "$base/api/v1/network/suggestions" "${auth[@]}"
  run_wrk "GET /in/{handle} (page) — $db" "$base/in/$target_handle" -H "Cookie: tsg_session=$cookie"
  run_wrk "GET /feed (page) — $db" "$base/feed" -H "Cookie: tsg_session=$cookie"
  # Writes: twenty members edit their headline; forty members invite everyone else, each pair once.
  local tokens=() pairs="$work/pairs-$port" i t id h
  for i in $(seq 10 29); do read -r t id h < <(login "$port" "member$i@example.test"); tokens+=("$t"); done
  TOKENS="${tokens[*]}" run_wrk "PATCH /api/v1/me/profile — $db" "$base/api/v1/me/profile" -s Benchmarks/wrk/patch-profile.lua
  : >"$pairs"
  local inviters=()
  for i in $(seq 1000 1039); do read -r t id h < <(login "$port" "member$i@example.test"); inviters+=("$t:$id"); done
  # Every pair not yet connected or invited either way, so that each request is a new invitation (201).
  python3 - "$3" "$4" "$pairs" "${inviters[@]}" <<'PY'
import random, sys
ids = [line.strip() for line in open(sys.argv[1]) if line.strip()]
taken = {tuple(sorted(line.split())) for line in open(sys.argv[2]) if line.strip()}
pairs = []
for inviter in sys.argv[4:]:
    token, me = inviter.split(":")
    pairs += [(token, other) for other in ids if other != me and tuple(sorted((me, other))) not in taken]
random.Random(1).shuffle(pairs)
with open(sys.argv[3], "w") as out:
    for t, i in pairs: out.write(f"{t} {i}\n")
PY
  PAIRS="$pairs" run_wrk "POST /api/v1/invitations — $db" "$base/api/v1/invitations" -s Benchmarks/wrk/invite.lua
}

# Each page, one request at a time (wrk -c1): the latency is the server's time for the page plus a loopback round
# trip, so p50 is the page's server time. Signed in as member2 (841 connections, Japanese), gzip asked for.
measure_pages() { # port database-label
  local port=$1 db=$2 base="http://127.0.0.1:$1" cookie target target_id target_handle company post job conversation
  read -r target target_id target_handle < <(login "$port" member4@example.test)
  cookie=$(web_session "$port" member2@example.test)
  local jar=(-H "Cookie: tsg_session=$cookie" -H 'Accept-Encoding: gzip')
  company=$(curl -fs "${jar[@]:0:2}" "$base/in/$target_handle" --compressed | grep -oE '/companies/[^"?#]+' | head -n 1 || true)
  post=$(curl -fs "${jar[@]:0:2}" "$base/feed" --compressed | grep -oE '/posts/[^"?#/]+' | head -n 1 || true)
  job=$(curl -fs "${jar[@]:0:2}" "$base/jobs" --compressed | grep -oE '/jobs/[0-9a-z]{10,}' | head -n 1 || true)
  conversation=$(curl -fs "${jar[@]:0:2}" "$base/messages" --compressed | grep -oE '/messages/[0-9a-z]{10,}' | head -n 1 || true)
  local pages=(/feed "/in/$target_handle" "/in/$target_handle/connections" "/in/$target_handle/activity" /network
    /network/connections /messages /notifications /jobs /jobs/mine /search "/search?q=%E5%96%B6%E6%A5%AD" /me/edit /me/data
    /me/contacts /settings /introductions /login)
  for page in "$company" "$post" "$job" "$conversation"; do [ -n "$page" ] && pages+=("$page"); done
  local page out p50 p99 rps status
  for page in "${pages[@]}"; do
    status=$(curl -s -o /dev/null -w '%{http_code}' "${jar[@]:0:2}" "$base$page")
    out=$(wrk -t1 -c1 -d"$duration" --latency "${jar[@]}" "$base$page")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    printf '| %-46s | %6s | %8s | %8s | %9s |\n' "GET $page — $db" "$status" "$p50" "$p99" "$rps"
  done
}

if [ -n "${BENCH_PAGES:-}" ]; then
  measure() { measure_pages "$1" "$2"; }
  echo "wrk -t1 -c1 -d$duration --latency per page, $(nproc) cores, server and wrk on one machine, $members demo members"
  printf '| %-46s | %6s | %8s | %8s | %9s |\n' "page" "status" "p50" "p99" "req/s"
  printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..48})" "--------" "----------" "----------" "-----------"
else
echo "wrk -t$threads -c$connections -d$duration --latency, $(nproc) cores, server and wrk on one machine, $members demo members"
echo "each read: $rounds rounds in turn with the static file; 'static' is the median of the rounds' ratios, 'baseline' the static file's median"
printf '| %-46s | %9s | %6s | %9s | %8s | %8s |\n' "endpoint" "req/s" "static" "baseline" "p50" "p99"
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..48})" "-----------" "--------" "-----------" "----------" "----------"
fi

if [ "${BENCH_ONLY:-}" != postgres ]; then
  port=$(free_port)
  "$bin" demo --members "$members" --data-dir "$work/sqlite" >/dev/null
  sqlite3 "$work/sqlite/tsunagari.sqlite" "SELECT id FROM members" >"$work/ids-sqlite"
  sqlite3 -separator ' ' "$work/sqlite/tsunagari.sqlite" \
    "SELECT member_id, other_id FROM connections UNION ALL SELECT from_id, to_id FROM invitations" >"$work/taken-sqlite"
  TSUNAGARI_LOG_LEVEL=warning "$bin" serve --port "$port" --data-dir "$work/sqlite" --rate-limits relaxed & pids+=($!)
  wait_up "$port" readyz
  measure "$port" SQLite "$work/ids-sqlite" "$work/taken-sqlite"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
fi

if [ -n "${BENCH_DATABASE_URL:-}" ] && [ "${BENCH_ONLY:-}" != sqlite ]; then
  db="bench_$RANDOM$RANDOM"
  psql "$BENCH_DATABASE_URL" -qc "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8'"
  url="${BENCH_DATABASE_URL%/*}/$db"
  DATABASE_URL="$url" "$bin" demo --members "$members" >/dev/null
  psql "$url" -Atc "SELECT id FROM members" >"$work/ids-pg"
  psql "$url" -AtF ' ' -c "SELECT member_id, other_id FROM connections UNION ALL SELECT from_id, to_id FROM invitations" >"$work/taken-pg"
  pgport=$(free_port)
  DATABASE_URL="$url" TSUNAGARI_LOG_LEVEL=warning "$bin" serve --port "$pgport" --rate-limits relaxed & pids+=($!)
  wait_up "$pgport" readyz
  measure "$pgport" PostgreSQL "$work/ids-pg" "$work/taken-pg"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  psql "$BENCH_DATABASE_URL" -qc "DROP DATABASE $db" || true
fi
