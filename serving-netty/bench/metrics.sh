#!/usr/bin/env bash
# What SMC_METRICS_PORT costs on the request path: the real server (echo handler, shipped defaults and serve's JVM flags)
# twice in the same run, metrics off and on, driven alternately with wrk on 127.0.0.1; prints requests/s and p99 per
# scenario (median round) and the on/off ratios, then one scrape of the metrics port; then the CPU time of recording
# one answer, off against on, on two threads at once (RecordingCostBench), which a busy machine does not blur.
# Usage: serving-netty/bench/metrics.sh [seconds per wrk run, default 5] [rounds, default 3]   (needs wrk and curl)
# Not part of the tests. Builds the test classes and a class path file with Maven (no install).
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-5}
rounds=${2:-3}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
work=$(mktemp -d)
pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"' EXIT

mvn -B -ntp -q -pl serving-netty -am test-compile -Dsmc.check.skip=true
mvn -B -ntp -q -pl serving-netty dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" -Dsmc.check.skip=true >/dev/null
cp="serving-netty/target/test-classes:serving-netty/target/classes:framework-spi/target/classes:env-core/target/classes:$(cat "$work/cp.txt")"
jvm=(-XX:+UseSerialGC -Xms32m -XX:MaxRAMPercentage=75 -XX:-UsePerfData)
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = "{\\"data\\": \\"%s\\"}"\n' \
  "$(head -c 88 /dev/zero | tr '\0' x)" >"$work/echo100.lua"

declare -A port=([off]=18090 [on]=18091)
java "${jvm[@]}" -cp "$cp" io.smcontainers.serving.netty.bench.BenchServer serving ${port[off]} >"$work/off.log" 2>&1 &
pids+=($!)
java "${jvm[@]}" -cp "$cp" io.smcontainers.serving.netty.bench.BenchServer serving ${port[on]} 18092 >"$work/on.log" 2>&1 &
pids+=($!)
for kind in off on; do
  until curl -fs -o /dev/null "http://127.0.0.1:${port[$kind]}/ping"; do sleep 0.01; done
  wrk -t2 -c16 -d3s "http://127.0.0.1:${port[$kind]}/ping" >/dev/null
  wrk -t2 -c16 -d3s -s "$work/echo100.lua" "http://127.0.0.1:${port[$kind]}/invocations" >/dev/null
done

run_wrk() { # port path script conns -> "rps p99ms"
  local args=()
  [ -n "$3" ] && args=(-s "$work/$3.lua")
  wrk -t2 -c"$4" -d"${duration}s" --latency "${args[@]}" "http://127.0.0.1:$1$2" >"$work/wrk.out"
  python3 - "$work/wrk.out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
m = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
print(f"{rps:.0f} {float(m.group(1)) * {'us': 0.001, 'ms': 1, 's': 1000}[m.group(2)]:.2f}")
PY
}
median() { python3 -c 'import statistics, sys; rows = [list(map(float, r.split())) for r in sys.argv[1:]]; print(" ".join(f"{statistics.median(c):.2f}" for c in zip(*rows)))' "$@"; }

printf '%-10s %5s %12s %12s %8s %16s\n' scenario conns "off rps" "on rps" "on/off" "p99 off/on ms"
for scenario in ping echo100; do
  path=$([ $scenario = ping ] && echo /ping || echo /invocations)
  script=$([ $scenario = ping ] && echo "" || echo $scenario)
  for conns in 16 64; do
    off_runs=() on_runs=()
    for round in $(seq "$rounds"); do
      if (( round % 2 )); then
        off_runs+=("$(run_wrk ${port[off]} $path "$script" $conns)"); on_runs+=("$(run_wrk ${port[on]} $path "$script" $conns)")
      else
        on_runs+=("$(run_wrk ${port[on]} $path "$script" $conns)"); off_runs+=("$(run_wrk ${port[off]} $path "$script" $conns)")
      fi
    done
    read -r off_rps off_p99 <<<"$(median "${off_runs[@]}")"
    read -r on_rps on_p99 <<<"$(median "${on_runs[@]}")"
    printf '%-10s %5s %12.0f %12.0f %8.2f %16s\n' $scenario $conns "$off_rps" "$on_rps" \
      "$(python3 -c "print($on_rps / $off_rps)")" "$off_p99 / $on_p99"
  done
done
curl -fs http://127.0.0.1:18092/metrics | grep '^smc_http_requests_total'
java -XX:+UseSerialGC -cp "$cp" io.smcontainers.serving.netty.RecordingCostBench 20
