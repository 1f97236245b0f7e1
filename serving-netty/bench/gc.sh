#!/usr/bin/env bash
# Latency under a big live heap, per garbage collector: the real runtime (BenchServer live-model: MODEL_MB of live
# model data, default 4096, plus young garbage and old-generation churn per request) with the shipped `serve` JVM
# options and the collector swapped, driven by wrk (100 KB invocations). Collectors run one at a time (each holds the
# whole model), in alternating order for several rounds; the median round is reported: req/s, p50/p99/max latency, CPU
# per request, and the safepoint pauses during the measured run (-Xlog:safepoint: count, total, longest). Halfway
# through each measured run one old-generation cycle is requested (jcmd GC.run), as each collector runs one when its
# old generation fills: a full stop-the-world collection for serial, a concurrent cycle for G1
# (-XX:+ExplicitGCInvokesConcurrent) and ZGC; OLD_CYCLE=false leaves it out.
# Usage: serving-netty/bench/gc.sh [seconds per run, default 20] [rounds, default 2]   (needs wrk, curl; about
#        MODEL_MB + 3 GB of free memory). HEAP (default 8g) is the -Xmx of every run, GCS (default "serial g1 z") the list,
#        CONNS (default 16) the wrk connections. Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-20}
rounds=${2:-2}
model_mb=${MODEL_MB:-4096}
heap=${HEAP:-8g}
conns=${CONNS:-16}
read -r -a gcs <<<"${GCS:-serial g1 z}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mvn -B -ntp -q -pl serving-netty -am test-compile -Dsmc.check.skip=true
mvn -B -ntp -q -pl serving-netty dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" -Dsmc.check.skip=true >/dev/null
cp="serving-netty/target/test-classes:serving-netty/target/classes:framework-spi/target/classes:env-core/target/classes:$(cat "$work/cp.txt")"
python3 - "$work" <<'PY'
import sys
body = ('{"data": "' + "x" * (100 * 1024 - 12) + '"}')[:100 * 1024]
with open(f"{sys.argv[1]}/post.lua", "w") as f:
    f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
    f.write('wrk.body = "' + body.replace('"', '\\"') + '"\n')
PY
declare -A flag=([serial]=-XX:+UseSerialGC [g1]="-XX:+UseG1GC -XX:+ExplicitGCInvokesConcurrent" [z]=-XX:+UseZGC [parallel]=-XX:+UseParallelGC)
port=18095
one_run() { # gc -> "rps p50 p99 max cpu-us pauses pause-total-ms pause-max-ms rss-mb load-s"
  local gc=$1 t0 t1 pid cpu0 cpu1 lines cycle
  t0=$(date +%s%N)
  java ${flag[$gc]} -Xms32m -XX:MaxRAMPercentage=75 -Xmx"$heap" -XX:-UsePerfData -Xlog:safepoint:file="$work/sp.log" \
    -cp "$cp" io.smcontainers.serving.netty.bench.BenchServer live-model $port "$model_mb" >"$work/server.log" 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/ping"; do
    kill -0 $pid 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.05
  done
  t1=$(date +%s%N)
  wrk -t2 -c"$conns" -d5s -s "$work/post.lua" "http://127.0.0.1:$port/invocations" >/dev/null
  lines=$(wc -l <"$work/sp.log")
  cpu0=$(python3 serving-netty/bench/proctree.py cpu $pid)
  cycle=
  if [ "${OLD_CYCLE:-true}" = true ]; then (sleep $((duration / 2)); jcmd $pid GC.run >/dev/null 2>&1) & cycle=$!; fi
  wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$work/post.lua" "http://127.0.0.1:$port/invocations" >"$work/wrk.out"
  cpu1=$(python3 serving-netty/bench/proctree.py cpu $pid)
  [ -z "$cycle" ] || wait "$cycle" || true
  rss=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status)
  kill $pid; wait $pid 2>/dev/null || true
  tail -n +"$((lines + 1))" "$work/sp.log" >"$work/sp.run"
  python3 - "$work/wrk.out" "$work/sp.run" "$cpu0" "$cpu1" "$rss" "$(( (t1 - t0) / 1000000 ))" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
unit = {"us": 0.001, "ms": 1, "s": 1000}
def ms(pattern):
    m = re.search(pattern, text)
    return float(m.group(1)) * unit[m.group(2)]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
total = int(re.search(r"(\d+) requests in", text).group(1))
p50, p99 = ms(r"50%\s+([\d.]+)(us|ms|s)"), ms(r"99%\s+([\d.]+)(us|ms|s)")
mx = ms(r"Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)")
pauses = [int(m.group(1)) / 1e6 for m in re.finditer(r"Total: (\d+) ns", open(sys.argv[2]).read())]
cpu = (float(sys.argv[4]) - float(sys.argv[3])) * 1000 / max(1, total)
print(f"{rps:.0f} {p50:.2f} {p99:.2f} {mx:.1f} {cpu:.1f} {len(pauses)} {sum(pauses):.0f} {max(pauses, default=0):.1f} {sys.argv[5]} {int(sys.argv[6]) / 1000:.1f}")
PY
}
declare -A runs=()
for round in $(seq "$rounds"); do
  n=${#gcs[@]}
  for j in $(seq 0 $((n - 1))); do
    gc=${gcs[$(( (j + round) % n ))]}
    row=$(one_run "$gc")
    runs[$gc]+="$row|"
    echo "round $round $gc: $row" >&2
  done
done
echo "model ${model_mb} MB live, -Xmx$heap, $conns connections, ${duration}s runs, $rounds rounds (medians), $(nproc) CPUs"
printf '%-8s | %7s %8s %8s %9s %7s | %6s %9s %9s | %7s %7s\n' gc rps "p50 ms" "p99 ms" "max ms" "CPU us" pauses "total ms" "max ms" "RSS MB" "load s"
for gc in "${gcs[@]}"; do
  IFS='|' read -r -a rows <<<"${runs[$gc]%|}"
  python3 - "$gc" "${rows[@]}" <<'PY'
import statistics, sys
cols = list(zip(*[list(map(float, r.split())) for r in sys.argv[2:]]))
m = [statistics.median(c) for c in cols]
print(f"{sys.argv[1]:8} | {m[0]:7.0f} {m[1]:8.2f} {m[2]:8.2f} {m[3]:9.1f} {m[4]:7.1f} | {m[5]:6.0f} {m[6]:9.0f} {m[7]:9.1f} | {m[8]:7.0f} {m[9]:7.1f}")
PY
done
