#!/usr/bin/env bash
# Load benchmark for serving-netty: drives the real server and a minimal Netty hello-world server (the physical limit)
# with wrk on 127.0.0.1 in the same run, and prints requests/s and p99 per scenario plus the ratios.
# Also measures cold start (JVM start to the first 200 on /ping) and resident memory after warm-up.
# Usage: serving-netty/bench/run.sh [seconds per wrk run, default 5] [rounds, default 3]   (needs wrk and curl: apt-get install -y wrk curl)
# KINDS (default "hello serving async") picks the servers: hello = the plain Netty server (the baseline, always run),
# offload = that server answering from a pool of CPU-count threads (the floor for handler code that may block),
# serving = the runtime with the synchronous echo handler (inference pool), async = the runtime with the non-blocking
# CompletionStage echo handler (run inline on the event loop). CPU per request is the server JVM's user+system time
# (/proc) over the wrk run, divided by the requests wrk counted. BASE=<another checkout, built with
# `mvn -pl serving-netty -am test-compile`> adds base-serving / base-async kinds from that tree's classes, for a same-run
# before/after (e.g. KINDS="hello base-async async"); SCENARIOS (default "ping echo100 echo100k") narrows the scenarios.
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
classes() { echo "$1/serving-netty/target/test-classes:$1/serving-netty/target/classes:$1/framework-spi/target/classes:$1/env-core/target/classes"; }
cp="$(classes .):$(cat "$work/cp.txt")"
base_cp="$(classes "${BASE:-.}"):$(cat "$work/cp.txt")"
# The JVM options `serve` ships with (launcher/src/dist/bin/sagemaker-toolkit, serve block), for every server, with the
# serial collector (serve's choice below 2 CPUs or 2 GiB of heap; the collectors are compared by bench/gc.sh).
jvm=(-XX:+UseSerialGC -Xms32m -XX:MaxRAMPercentage=75 -XX:-UsePerfData)
read -r -a kinds <<<"${KINDS:-hello serving async}"
[ "${kinds[0]}" = hello ] || kinds=(hello "${kinds[@]}")

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
  local classpath=$cp
  case $kind in base-*) [ -n "${BASE:-}" ] || { echo "$kind needs BASE=<checkout>" >&2; exit 1; }; classpath=$base_cp ;; esac
  java "${jvm[@]}" -cp "$classpath" io.smcontainers.serving.netty.bench.BenchServer "${kind#base-}" "$port" >"$work/$kind.log" 2>&1 &
  echo $! >"$work/$kind.pid"
  until curl -fs -o /dev/null "http://127.0.0.1:$port/ping"; do sleep 0.005; done
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}

run_wrk() { # kind path script conns -> "rps p99ms errors cpu-us-per-request"
  local kind=$1 path=$2 script=$3 conns=$4 args=() pid cpu0 cpu1
  [ -n "$script" ] && args=(-s "$work/$script.lua")
  pid=$(cat "$work/$kind.pid")
  cpu0=$(python3 serving-netty/bench/proctree.py cpu "$pid")
  wrk -t2 -c"$conns" -d"${duration}s" --latency "${args[@]}" "http://127.0.0.1:${port[$kind]}$path" >"$work/wrk.out"
  cpu1=$(python3 serving-netty/bench/proctree.py cpu "$pid")
  python3 - "$work/wrk.out" "$cpu0" "$cpu1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
total = int(re.search(r"(\d+) requests in", text).group(1))
m = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
cpu_us = (float(sys.argv[3]) - float(sys.argv[2])) * 1000 / max(1, total)
print(f"{rps:.0f} {p99:.2f} {errors.group(1) if errors else 0} {cpu_us:.2f}")
PY
}

declare -A result
declare -A port=()
for i in "${!kinds[@]}"; do port[${kinds[$i]}]=$((18081 + i)); done
for kind in "${kinds[@]}"; do
  result[$kind,cold]=$(start_server $kind ${port[$kind]})
done
for kind in "${kinds[@]}"; do
  wrk -t2 -c16 -d3s "http://127.0.0.1:${port[$kind]}/ping" >/dev/null
  wrk -t2 -c16 -d3s -s "$work/echo100k.lua" "http://127.0.0.1:${port[$kind]}/invocations" >/dev/null
  wrk -t2 -c16 -d3s -s "$work/echo100.lua" "http://127.0.0.1:${port[$kind]}/invocations" >/dev/null
  result[$kind,rss]=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$(cat "$work/$kind.pid")/status)
done
# All servers stay up; each scenario alternates them for $rounds rounds (the machine's load drifts; the order rotates
# every round), and the median of each column over the rounds is reported.
median() { python3 -c 'import statistics, sys; rows = [list(map(float, r.split())) for r in sys.argv[1:]]; print(" ".join(f"{statistics.median(c):.2f}" for c in zip(*rows)))' "$@"; }
scenarios=${SCENARIOS:-ping echo100 echo100k}
for scenario in $scenarios; do
  path=$([ $scenario = ping ] && echo /ping || echo /invocations)
  script=$([ $scenario = ping ] && echo "" || echo $scenario)
  for conns in 16 64; do
    declare -A runs=()
    for round in $(seq "$rounds"); do
      n=${#kinds[@]}
      for j in $(seq 0 $((n - 1))); do
        kind=${kinds[$(( (j + round) % n ))]}
        runs[$kind]+="$(run_wrk $kind $path "$script" $conns)|"
      done
    done
    for kind in "${kinds[@]}"; do
      IFS='|' read -r -a rows <<<"${runs[$kind]%|}"
      result[$kind,$scenario,$conns]=$(median "${rows[@]}")
    done
    unset runs
  done
done
for kind in "${kinds[@]}"; do
  kill "$(cat "$work/$kind.pid")"; wait "$(cat "$work/$kind.pid")" 2>/dev/null || true
done

for scenario in $scenarios; do
  for conns in 16 64; do
    for kind in "${kinds[@]}"; do echo "$scenario $conns $kind ${result[$kind,$scenario,$conns]}"; done
  done
done >"$work/results.txt"
python3 - "$work/results.txt" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1])]
base = {(r[0], r[1]): r for r in rows if r[2] == "hello"}
print(f"\n{'scenario':9} {'conns':>5} {'server':10} | {'rps':>9} {'p99 ms':>8} {'CPU us/r':>9} | {'rps x':>6} {'p99 x':>6} {'CPU x':>6}")
for scenario, conns, kind, rps, p99, errors, cpu in rows:
    _, _, _, hrps, hp99, _, hcpu = base[(scenario, conns)]
    note = f"  ({errors} non-2xx)" if float(errors) else ""
    print(f"{scenario:9} {conns:>5} {kind:10} | {float(rps):9.0f} {float(p99):8.2f} {float(cpu):9.2f} | "
          f"{float(rps) / float(hrps):6.2f} {float(p99) / float(hp99):6.2f} {float(cpu) / max(float(hcpu), 1e-9):6.2f}{note}")
PY
echo
for kind in "${kinds[@]}"; do
  echo "$kind: cold start to first /ping 200 ${result[$kind,cold]} ms, resident memory after warm-up ${result[$kind,rss]} MB, $(grep -h READY "$work/$kind.log")"
done
