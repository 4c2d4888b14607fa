#!/usr/bin/env bash
# Photos: processing a 12-megapixel JPEG (decode, crop, two sizes, encode) with its peak memory, then serving a
# photo under wrk beside a static file of the same server, measured in the same run. Usage:
#   Benchmarks/photos.sh            # BENCH_DURATION=30s by default; needs libvips42 and wrk
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${BENCH_DURATION:-30s}
bin=.build-release/release/tsunagari
if [ ! -x "$bin" ] || [ -n "$(find Sources -newer "$bin" \( -name '*.swift' -o -name '*.c' \) | head -n 1)" ]; then
  swift build -c release --scratch-path .build-release --product tsunagari
fi
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "== processing (one fresh process per line, so its peak RSS is processing's own)"
"$bin" bench photos synth "$work/photo-12mp.jpg"
"$bin" bench photos run "$work/photo-12mp.jpg" 30 photo
"$bin" bench photos run "$work/photo-12mp.jpg" 30 banner
"$bin" bench photos run "$work/photo-12mp.jpg" 20 photo 2

echo "== serving: wrk -t2 -c64 -d$duration --latency, server and wrk on one machine ($(nproc) cores)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" demo --members 300 --data-dir "$work/data" >/dev/null
TSUNAGARI_LOG_LEVEL=warning "$bin" serve --port "$port" --data-dir "$work/data" --rate-limits relaxed & pids+=($!)
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
photo=$(curl -fs -X POST "http://127.0.0.1:$port/api/v1/sessions" -d '{"email":"member1@example.test","password":"tsunagari-demo"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["member"]["photo"]["large"])')
bytes=$(curl -fs "http://127.0.0.1:$port$photo" | wc -c)
static=$(curl -fs "http://127.0.0.1:$port/static/app.css" | wc -c)
printf '| %-40s | %8s | %10s | %8s | %8s |\n' "what" "bytes" "req/s" "p50" "p99"
printf '|%s|%s|%s|%s|%s|\n' "------------------------------------------" "----------" "------------" "----------" "----------"
run() { # label path bytes
  local out
  out=$(wrk -t2 -c64 -d"$duration" --latency "http://127.0.0.1:$port$2")
  printf '| %-40s | %8s | %10s | %8s | %8s | %s\n' "$1" "$3" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")" \
    "$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)"
}
run "static file /static/app.css (baseline)" /static/app.css "$static"
run "photo $photo" "$photo" "$bytes"
