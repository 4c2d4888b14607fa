# Sourced by the benchmark scripts: a free port, a server's start, a demo member's API token or web login, and a burst
# of load with the server's CPU measured.
# `work` must name the calling script's temporary folder (web_session keeps its cookie jars there).

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_up() { # port path
  for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$1/$2" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server on $1 did not start" >&2
  exit 1
}

login() { # port email → "token id handle"
  curl -fs -X POST "http://127.0.0.1:$1/api/v1/sessions" -d "{\"email\":\"$2\",\"password\":\"tsunagari-demo\"}" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["token"], d["member"]["id"], d["member"]["handle"])'
}

web_session() { # port email → the session cookie's value
  local jar="$work/jar-$1" csrf
  curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$1/login" >/dev/null
  csrf=$(awk '$6=="tsg_csrf" {print $7}' "$jar")
  curl -fs -c "$jar" -b "$jar" -o /dev/null -X POST "http://127.0.0.1:$1/login" \
    --data-urlencode "_csrf=$csrf" --data-urlencode "email=$2" --data-urlencode "password=tsunagari-demo"
  awk '$6=="tsg_session" {print $7}' "$jar"
}

cpu_burst() { # server-pid wrk-arguments… → "µs of server CPU a request" "requests a second"
  # `wrk -t2 -c16 -d3s`, and `perf stat -e task-clock` on the server for the middle two seconds.
  local pid=$1 w ms rps
  shift
  wrk -t2 -c16 -d3s "$@" >"$work/wrk" &
  w=$!
  sleep 0.5
  perf stat -e task-clock -p "$pid" -x, -o "$work/stat" -- sleep 2 >/dev/null 2>&1
  wait $w
  ms=$(awk -F, '/task-clock/ {print $1}' "$work/stat")
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk")
  awk -v ms="$ms" -v r="$rps" 'BEGIN { printf "%.0f %.0f\n", ms * 1000 / (r * 2), r }'
}

median_of() { # values… → their median (the lower of the middle two)
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
