#!/usr/bin/env bash
# Where the CPU of one bench server goes under wrk: runs BenchServer KIND (hello, serving, async) with async-profiler
# (ASYNC_PROFILER=path/to/libasyncProfiler.so, e.g. from the Maven Central jar tools.profiler:async-profiler, linux-x64/;
# loaded at start, so the warm-up is in the profile too) or else JFR (the measured run only), drives it with wrk, and prints the hottest frames (self time) and the CPU split by thread.
# Usage: serving-netty/bench/profile.sh [kind, default serving] [scenario echo100|echo100k|ping, default echo100] [conns, default 16] [seconds, default 10]
# Not part of the tests. Run after serving-netty/bench/run.sh has built the test classes (or mvn -pl serving-netty -am test-compile).
set -euo pipefail
cd "$(dirname "$0")/../.."
kind=${1:-serving}
scenario=${2:-echo100}
conns=${3:-16}
duration=${4:-10}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mvn -B -ntp -q -pl serving-netty dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" -Dsmc.check.skip=true >/dev/null
cp="serving-netty/target/test-classes:serving-netty/target/classes:framework-spi/target/classes:env-core/target/classes:$(cat "$work/cp.txt")"
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
for name, size in (("echo100", 100), ("echo100k", 100 * 1024)):
    body = ('{"data": "' + "x" * (size - 12) + '"}')[:size]
    with open(f"{w}/{name}.lua", "w") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
        f.write('wrk.body = "' + body.replace('"', '\\"') + '"\n')
PY
port=18097
agent=()
[ -n "${ASYNC_PROFILER:-}" ] && agent=("-agentpath:$ASYNC_PROFILER=start,event=cpu,interval=200us,threads,file=$work/collapsed.txt,collapsed")
java "${agent[@]}" -XX:+UseSerialGC -Xms32m -XX:MaxRAMPercentage=75 -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints \
  -cp "$cp" io.smcontainers.serving.netty.bench.BenchServer "$kind" $port >"$work/server.log" 2>&1 &
pid=$!
until curl -fs -o /dev/null "http://127.0.0.1:$port/ping"; do sleep 0.01; done
args=(); path=/ping
[ "$scenario" != ping ] && args=(-s "$work/$scenario.lua") && path=/invocations
wrk -t2 -c"$conns" -d"${WARMUP:-10}s" "${args[@]}" "http://127.0.0.1:$port$path" >/dev/null   # warm-up (JIT)
if [ -z "${ASYNC_PROFILER:-}" ]; then
  jcmd $pid JFR.start name=p settings=profile filename="$work/p.jfr" >/dev/null
fi
declare -A before=()
for t in /proc/$pid/task/*; do before[$(cat $t/comm)]+=" $(awk '{print $14+$15}' $t/stat)"; done
wrk -t2 -c"$conns" -d"${duration}s" "${args[@]}" "http://127.0.0.1:$port$path" | grep -E "Requests/sec|requests in"
echo "--- CPU by thread (ms, ticks of 10 ms) during the run"
for t in /proc/$pid/task/*; do echo "$(cat $t/comm)|$(awk '{print $14+$15}' $t/stat)"; done | sort >"$work/after.txt"
python3 - "$work/after.txt" <<PY
import sys, collections
before = {$(for k in "${!before[@]}"; do printf '"%s": [%s], ' "$k" "$(echo ${before[$k]} | tr ' ' ',')"; done)}
after = collections.defaultdict(int)
for line in open(sys.argv[1]):
    name, ticks = line.rstrip("\n").rsplit("|", 1)
    after[name] += int(ticks)
rows = sorted(((after[n] - sum(before.get(n, [])), n) for n in after), reverse=True)
for d, n in rows:
    if d > 0: print(f"{d*10:7d} ms  {n}")
PY
if [ -n "${ASYNC_PROFILER:-}" ]; then
  kill $pid; wait $pid 2>/dev/null || true   # the agent writes its profile at exit
  python3 serving-netty/bench/collapsed.py "$work/collapsed.txt"
  [ -n "${PROFILE_OUT:-}" ] && cp "$work"/collapsed.txt "$PROFILE_OUT"/ || true
else
  jcmd $pid JFR.stop name=p >/dev/null
  jfr print --events jdk.ExecutionSample "$work/p.jfr" | awk '/stackTrace = \[/{getline; print}' | sed 's/line:.*//' | sort | uniq -c | sort -rn | head -40
fi
