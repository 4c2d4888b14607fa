#!/usr/bin/env bash
# Where a profile page's server time goes, against the static file's, on one server: µs of server CPU per request for
# the static stylesheet and the profile page, each asked with and without gzip, and for `/api/v1/me`; then the page's
# own bytes compressed by libdeflate alone (the library the server uses) in this process, medians and 99th percentiles.
# Usage:
#   Benchmarks/costs.sh [BINARY] [rounds]
# The server runs on a fresh SQLite demo database (2,000 members); member2 (a recruiter with about 800 connections)
# asks, member4 is the profile shown, as in compare.sh. Each figure is the median of `rounds` bursts of
# `wrk -t2 -c16 -d3s`, with `perf stat -e task-clock` on the server for the middle two seconds. Needs wrk, perf and
# Debian's libdeflate0.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/demo-login.sh
bin=${1:-.build-release/release/tsunagari} rounds=${2:-3}
for tool in wrk perf; do command -v $tool >/dev/null || { echo "$tool is not installed" >&2; exit 1; }; done

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$bin" demo --members 2000 --data-dir "$work/demo" >/dev/null 2>&1
port=$(free_port)
TSUNAGARI_LOG_LEVEL=warning "$bin" serve --port "$port" --data-dir "$work/demo" --rate-limits relaxed >"$work/log" 2>&1 &
pid=$!
wait_up "$port" readyz
base="http://127.0.0.1:$port"
read -r token _ _ < <(login "$port" member2@example.test)
read -r _ _ shown < <(login "$port" member4@example.test)
cookie="Cookie: tsg_session=$(web_session "$port" member2@example.test)"
curl -fs -H "$cookie" -o "$work/page.html" "$base/in/$shown"

burst() { cpu_burst "$pid" "$@"; } # wrk-arguments… → "µs of server CPU a request" "requests a second"
order=(static-gzip static-plain me page-gzip page-plain)
arguments() { # name → wrk arguments in `args`
  args=()
  case $1 in *-gzip) args+=(-H 'Accept-Encoding: gzip') ;; esac
  case $1 in
    static-*) args+=("$base/static/app.css") ;;
    me) args+=(-H "Authorization: Bearer $token" "$base/api/v1/me") ;;
    page-*) args+=(-H "$cookie" "$base/in/$shown") ;;
  esac
}
declare -A results rates
for name in "${order[@]}"; do
  arguments "$name"
  wrk -t2 -c16 -d1s "${args[@]}" >/dev/null
done
for _ in $(seq 1 "$rounds"); do
  for name in "${order[@]}"; do
    arguments "$name"
    read -r cpu rate < <(burst "${args[@]}")
    results[$name]="${results[$name]:-} $cpu"
    rates[$name]="${rates[$name]:-} $rate"
  done
done
echo "µs of server CPU per request and requests a second (medians of $rounds bursts; each burst's µs in brackets):"
for name in "${order[@]}"; do
  # shellcheck disable=SC2086
  printf '  %-13s %5s µs %8s/s   [%s ]\n' "$name" "$(median_of ${results[$name]})" "$(median_of ${rates[$name]})" "${results[$name]}"
done
python3 - "$work/page.html" <<'EOF'
import ctypes, statistics, sys, time
page = open(sys.argv[1], "rb").read()
library = ctypes.CDLL("libdeflate.so.0")
library.libdeflate_alloc_compressor.restype = ctypes.c_void_p
library.libdeflate_alloc_compressor.argtypes = [ctypes.c_int]
library.libdeflate_gzip_compress_bound.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
library.libdeflate_gzip_compress.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]
compressor = library.libdeflate_alloc_compressor(1)
output = ctypes.create_string_buffer(library.libdeflate_gzip_compress_bound(compressor, len(page)))
times = []
for _ in range(20000):
    start = time.perf_counter_ns()
    size = library.libdeflate_gzip_compress(compressor, page, len(page), output, len(output))
    times.append((time.perf_counter_ns() - start) / 1000)
times.sort()
print(f"the page's {len(page):,} bytes to {size:,} by libdeflate's level 1 alone: "
      f"p50 {statistics.median(times):.1f} µs, p99 {times[int(len(times) * 0.99)]:.1f} µs")
EOF
