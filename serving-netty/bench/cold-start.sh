#!/usr/bin/env bash
# Cold start of the shipped `serve`: process start (bin/serve) to the first 200 on /ping, median of N runs, with a
# one-class Java echo handler found via ServiceLoader in <model dir>/code/handler.jar (launcher/src/build/echo-model.sh). Also prints the resident memory of the
# last run after a short warm-up (wrk, when installed).
# Usage: serving-netty/bench/cold-start.sh [runs, default 7]   (needs curl, javac, wrk; run after
#        `mvn -B -ntp -pl serving-netty,launcher -am package -DskipTests`, which builds launcher/target/dist)
# Not part of the tests. SMC_JAVA_OPTS is passed through (e.g. SMC_JAVA_OPTS=-Xshare:off to see the CDS archive's gain).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-7}
dist=launcher/target/dist
[ -x "$dist/bin/serve" ] || { echo "$dist/bin/serve is missing: mvn -B -ntp -pl serving-netty,launcher -am package -DskipTests" >&2; exit 1; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

launcher/src/build/echo-model.sh "$work/model" "$dist"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
times=()
for i in $(seq "$runs"); do
  t0=$(date +%s%N)
  SMC_BIND_ADDRESS=127.0.0.1 SAGEMAKER_BIND_TO_PORT=$port SAGEMAKER_BASE_DIR="$work" "$dist/bin/serve" --model-dir "$work/model" 2>"$work/serve.log" &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/ping"; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.005
  done
  t1=$(date +%s%N)
  times+=($(( (t1 - t0) / 1000000 )))
  if [ "$i" = "$runs" ] && command -v wrk >/dev/null; then
    wrk -t2 -c16 -d3s "http://127.0.0.1:$port/ping" >/dev/null
    printf '{"data": "%s"}' "$(head -c 100000 /dev/zero | tr '\0' x)" >"$work/body.json"
    printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nlocal f = io.open("%s")\nwrk.body = f:read("*a")\n' "$work/body.json" >"$work/post.lua"
    wrk -t2 -c16 -d3s -s "$work/post.lua" "http://127.0.0.1:$port/invocations" >/dev/null
    echo "resident memory after warm-up (ping, 100 KB echo): $(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status) MB"
  fi
  kill -TERM "$pid"; wait "$pid" || { echo "serve exited $? after SIGTERM" >&2; exit 1; }
  pid=
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "cold start to first /ping 200 (ms), $runs runs: $(echo $sorted)"
echo "median: $(printf '%s\n' $sorted | sed -n "$(( (runs + 1) / 2 ))p") ms"
grep -m1 "Serving on" "$work/serve.log" || true
