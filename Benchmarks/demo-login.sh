# Sourced by the benchmark scripts: a free port, a server's start, and a demo member's API token or web login.
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
