#!/usr/bin/env bash
# Load benchmark for serving-netty: drives the real server and a minimal Netty hello-world server (the physical limit)
# with wrk on 127.0.0.1 in the same run, and prints requests/s and p99 per scenario plus the ratios.
# Also measures cold start (JVM start to the first 200 on /ping) and resident memory after warm-up.
# Usage: serving-netty/bench/run.sh [seconds per wrk run, default 5] [rounds, default 3]   (needs wrk and curl: apt-get install -y wrk curl)
# Not part of the tests. Builds the test classes and a class path file with Maven (no install).
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-5}
rounds=${2:-3}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

mvn -B -ntp -q -pl serving-netty -am test-compile -Dsmc.check.skip=true
mvn -B -ntp -q -pl serving-netty dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" -Dsmc.check.skip=true >/dev/null
cp="serving-netty/target/test-classes:serving-netty/target/classes:framework-spi/target/classes:env-core/target/classes:$(cat "$work/cp.txt")"
# The JVM options `serve` ships with (launcher/src/dist/bin/sagemaker-toolkit, serve block), for both servers.
jvm=(-XX:+UseSerialGC -Xms32m -XX:MaxRAMPercentage=75 -XX:-UsePerfData)

python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
for name, size in (("echo100", 100), ("echo100k", 100 * 1024)):
    body = ('{"data": "' + "x" * (size - 12) + '"}')[:size]
    with open(f"{w}/{name}.lua", "w") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
        f.write('wrk.body = "' + body.replace('"', '\\"') + '"\n')
PY

start_server() { # kind port -> pid; prints cold start ms
  local kind=$1 port=$2 t0 t1
  t0=$(date +%s%N)
  java "${jvm[@]}" -cp "$cp" io.smcontainers.serving.netty.bench.BenchServer "$kind" "$port" >"$work/$kind.log" 2>&1 &
  echo $! >"$work/$kind.pid"
  until curl -fs -o /dev/null "http://127.0.0.1:$port/ping"; do sleep 0.005; done
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}

run_wrk() { # port path script conns -> "rps p99ms"
  local port=$1 path=$2 script=$3 conns=$4 args=()
  [ -n "$script" ] && args=(-s "$work/$script.lua")
  wrk -t2 -c"$conns" -d"${duration}s" --latency "${args[@]}" "http://127.0.0.1:$port$path" >"$work/wrk.out"
  python3 - "$work/wrk.out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
m = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{rps:.0f} {p99:.2f} {errors.group(1) if errors else 0}")
PY
}

declare -A result
declare -A port=([hello]=18081 [serving]=18080)
for kind in hello serving; do
  result[$kind,cold]=$(start_server $kind ${port[$kind]})
done
for kind in hello serving; do
  wrk -t2 -c16 -d3s "http://127.0.0.1:${port[$kind]}/ping" >/dev/null
  wrk -t2 -c16 -d3s -s "$work/echo100k.lua" "http://127.0.0.1:${port[$kind]}/invocations" >/dev/null
  wrk -t2 -c16 -d3s -s "$work/echo100.lua" "http://127.0.0.1:${port[$kind]}/invocations" >/dev/null
  result[$kind,rss]=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$(cat "$work/$kind.pid")/status)
done
# Both servers stay up; each scenario alternates hello and serving for $rounds rounds (the machine's load drifts), and
# the median round of each is reported.
median() { python3 -c 'import statistics, sys; rows = [list(map(float, r.split())) for r in sys.argv[1:]]; print(" ".join(f"{statistics.median(c):.2f}" for c in zip(*rows)))' "$@"; }
for scenario in ping echo100 echo100k; do
  path=$([ $scenario = ping ] && echo /ping || echo /invocations)
  script=$([ $scenario = ping ] && echo "" || echo $scenario)
  for conns in 16 64; do
    declare -a hello_runs=() serving_runs=()
    for _ in $(seq "$rounds"); do
      hello_runs+=("$(run_wrk ${port[hello]} $path "$script" $conns)")
      serving_runs+=("$(run_wrk ${port[serving]} $path "$script" $conns)")
    done
    result[hello,$scenario,$conns]=$(median "${hello_runs[@]}")
    result[serving,$scenario,$conns]=$(median "${serving_runs[@]}")
  done
done
for kind in hello serving; do
  kill "$(cat "$work/$kind.pid")"; wait "$(cat "$work/$kind.pid")" 2>/dev/null || true
done

printf '\n%-10s %5s | %12s %9s | %12s %9s | %7s %9s\n' scenario conns "hello rps" "p99 ms" "serving rps" "p99 ms" "ratio" "p99 ratio"
for scenario in ping echo100 echo100k; do
  for conns in 16 64; do
    read -r hr hp he <<<"${result[hello,$scenario,$conns]}"
    read -r sr sp se <<<"${result[serving,$scenario,$conns]}"
    printf '%-10s %5s | %12.0f %9s | %12.0f %9s | %7s %9s%s\n' $scenario $conns "$hr" "$hp" "$sr" "$sp" \
      "$(python3 -c "print(f'{$sr/$hr:.2f}')")" "$(python3 -c "print(f'{$sp/$hp:.2f}')")" \
      "$([ "${se%.*}" != 0 ] && echo "  ($se non-2xx)")"
  done
done
echo
echo "cold start to first /ping 200: hello ${result[hello,cold]} ms, serving ${result[serving,cold]} ms"
echo "resident memory after warm-up: hello ${result[hello,rss]} MB, serving ${result[serving,rss]} MB"
echo "transport: $(grep -h READY "$work/hello.log" "$work/serving.log" | tr '\n' ' ')"
