#!/usr/bin/env bash
# Two builds (or two settings) side by side: the server's CPU per request for one endpoint, each server measured in
# short bursts taken in turn, so that a slow spell of the machine falls on both. Prints each burst and the medians.
# Usage:
#   Benchmarks/compare.sh OLD_BINARY NEW_BINARY [page|feed|me|member|connections|suggestions|static] [rounds]
#   COMPARE_ENV_B="TSUNAGARI_ALLOCATOR=system" Benchmarks/compare.sh BINARY BINARY page    # one build, two settings
# Both servers run on a copy of one SQLite demo database (2,000 members, made once per run); member2 (a recruiter with
# about 800 connections) asks, member4 is the profile shown. Each burst is `wrk -t2 -c16 -d3s` with `perf stat -e
# task-clock` on the server for its middle two seconds. Needs wrk and perf (Debian's linux-perf).
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/demo-login.sh
[ $# -ge 2 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
binary_a=$1 binary_b=$2 kind=${3:-page} rounds=${4:-10}
for tool in wrk perf; do command -v $tool >/dev/null || { echo "$tool is not installed" >&2; exit 1; }; done

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$binary_a" demo --members 2000 --data-dir "$work/demo" >/dev/null 2>&1
start() { # binary folder environment → "pid port"
  local port
  port=$(free_port)
  mkdir -p "$2" && cp "$work"/demo/tsunagari.sqlite* "$2/"
  env $3 TSUNAGARI_LOG_LEVEL=warning "$1" serve --port "$port" --data-dir "$2" --rate-limits relaxed >"$2/log" 2>&1 &
  echo "$! $port"
}
read -r pid_a port_a < <(start "$binary_a" "$work/a" "${COMPARE_ENV_A:-}")
read -r pid_b port_b < <(start "$binary_b" "$work/b" "${COMPARE_ENV_B:-}")
pids=("$pid_a" "$pid_b")
for port in "$port_a" "$port_b"; do
  wait_up "$port" readyz
done

request() { # port → wrk arguments, one per line
  local port=$1 base="http://127.0.0.1:$1" reader shown
  read -r reader _ _ < <(login "$port" member2@example.test)
  read -r _ _ shown < <(login "$port" member4@example.test)
  case $kind in
    page) printf '%s\n' -H "Cookie: tsg_session=$(web_session "$port" member2@example.test)" "$base/in/$shown" ;;
    feed) printf '%s\n' -H "Cookie: tsg_session=$(web_session "$port" member2@example.test)" "$base/feed" ;;
    me) printf '%s\n' -H "Authorization: Bearer $reader" "$base/api/v1/me" ;;
    member) printf '%s\n' -H "Authorization: Bearer $reader" "$base/api/v1/members/$shown" ;;
    connections) printf '%s\n' -H "Authorization: Bearer $reader" "$base/api/v1/me/connections" ;;
    suggestions) printf '%s\n' -H "Authorization: Bearer $reader" "$base/api/v1/network/suggestions" ;;
    static) printf '%s\n' "$base/static/app.css" ;;
    *) echo "unknown endpoint kind: $kind" >&2; exit 2 ;;
  esac
}
mapfile -t args_a < <(request "$port_a")
mapfile -t args_b < <(request "$port_b")

burst() { # pid wrk-arguments… → µs of server CPU per request
  local pid=$1
  shift
  cpu_burst "$pid" -H 'Accept-Encoding: gzip' "$@" | cut -d' ' -f1
}
wrk -t2 -c16 -d2s -H 'Accept-Encoding: gzip' "${args_a[@]}" >/dev/null
wrk -t2 -c16 -d2s -H 'Accept-Encoding: gzip' "${args_b[@]}" >/dev/null
results_a=() results_b=()
for round in $(seq 1 "$rounds"); do
  # Which goes first alternates, so neither always follows the other.
  if ((round % 2)); then
    results_a+=("$(burst "$pid_a" "${args_a[@]}")"); results_b+=("$(burst "$pid_b" "${args_b[@]}")")
  else
    results_b+=("$(burst "$pid_b" "${args_b[@]}")"); results_a+=("$(burst "$pid_a" "${args_a[@]}")")
  fi
done
lower=0
for i in "${!results_a[@]}"; do ((results_b[i] < results_a[i])) && lower=$((lower + 1)); done
echo "$kind, µs of server CPU per request, $rounds bursts each:"
echo "  A ${results_a[*]} | median $(median_of "${results_a[@]}")"
echo "  B ${results_b[*]} | median $(median_of "${results_b[@]}") | B lower in $lower of $rounds pairs"
