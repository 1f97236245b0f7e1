#!/usr/bin/env bash
# Cold start of the shipped `serve`: process start (bin/serve) to the first 200 on /ping and to the first 200 on
# /invocations (one 100 B echo sent right after the ping), median of N runs, with a one-class Java echo handler found
# via ServiceLoader in <model dir>/code/handler.jar (launcher/src/build/echo-model.sh); also the server's CPU time
# (user + system) at the first /ping. Then the resident memory of the last run after a short warm-up (wrk, when
# installed). Given several builds of the dist (each a launcher/target/dist built in place: the start-up archives are
# tied to their folder), runs them interleaved run by run and prints each median with its ratio to the first dist's.
# Usage: serving-netty/bench/cold-start.sh [runs, default 7] [DIST...]   (default DIST launcher/target/dist; needs
#        curl, javac, wrk; run after `mvn -B -ntp -pl serving-netty,launcher -am package -DskipTests`)
# Not part of the tests. SMC_JAVA_OPTS is passed through (e.g. SMC_JAVA_OPTS=-Xshare:off to see the CDS archive's gain).
# HELLO=1 adds the floor, interleaved with the dists: the plain Netty hello-world of bench/run.sh (BenchServer hello:
# HTTP codec, aggregator, echo) with serve's JVM options, no logging provider, and a start-up archive of its own,
# trained here the way `warm-up` trains serve's; each dist's ratio to it is printed too.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-7}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- launcher/target/dist
for dist in "$@"; do
  [ -x "$dist/bin/serve" ] || { echo "$dist/bin/serve is missing: mvn -B -ntp -pl serving-netty,launcher -am package -DskipTests" >&2; exit 1; }
done
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

. launcher/src/build/serve-start.sh
launcher/src/build/echo-model.sh "$work/model" "$1"
printf '{"data": "%s"}' "$(head -c 88 /dev/zero | tr '\0' x)" >"$work/small.json"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ticks=$(getconf CLK_TCK)

entries=("$@")
if [ "${HELLO:-0}" = 1 ]; then
  mvn -B -ntp -q -pl serving-netty -am test-compile -Dsmc.check.skip=true
  mvn -B -ntp -q -pl serving-netty dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" -Dsmc.check.skip=true >/dev/null
  mkdir -p "$work/hello"
  for d in serving-netty/target/test-classes serving-netty/target/classes framework-spi/target/classes env-core/target/classes; do
    jar cf "$work/hello/$(echo "$d" | tr / _).jar" -C "$d" .  # a start-up archive takes jars only
  done
  hello_cp="$(ls "$work"/hello/*.jar | paste -sd:):$(tr ':' '\n' <"$work/cp.txt" | grep -v -E '/(logback|logstash)' | paste -sd:)"
  hello_jvm=(-XX:+UseSerialGC -Xms32m -XX:MaxRAMPercentage=75 -XX:-UsePerfData -Dio.netty.jfr.enabled=false)
  start_hello() { # $1: extra JVM options
    java "${hello_jvm[@]}" $1 -cp "$hello_cp" io.smcontainers.serving.netty.bench.BenchServer hello "$port" >"$work/hello.log" 2>&1 &
    pid=$!
    until curl -fs -o /dev/null "http://127.0.0.1:$port/ping"; do
      kill -0 "$pid" 2>/dev/null || { cat "$work/hello.log" >&2; exit 1; }
      sleep 0.005
    done
  }
  start_hello "-XX:ArchiveClassesAtExit=$work/hello.jsa"
  curl -fs -o /dev/null -H 'Content-Type: application/json' --data-binary @"$work/small.json" "http://127.0.0.1:$port/invocations"
  kill -TERM "$pid"; wait "$pid" || true; pid=
  entries+=(hello)
fi

for i in $(seq "$runs"); do
  for dist in "${entries[@]}"; do
    t0=$(date +%s%N)
    if [ "$dist" = hello ]; then
      start_hello "-XX:SharedArchiveFile=$work/hello.jsa -Xlog:cds=off"
      t1=$(date +%s%N)
      cpu=$(cut -d' ' -f14,15 "/proc/$pid/stat" | awk -v hz="$ticks" '{printf "%d", ($1 + $2) * 1000 / hz}')
      curl -fs -o /dev/null -H 'Content-Type: application/json' --data-binary @"$work/small.json" "http://127.0.0.1:$port/invocations"
      t2=$(date +%s%N)
      echo "hello $(( (t1 - t0) / 1000000 )) $(( (t2 - t0) / 1000000 )) $cpu" >>"$work/results"
      kill -TERM "$pid"; wait "$pid" || true; pid=
      continue
    fi
    start_serve "$dist" "$port" "$work" "$work/model" "$work/serve.log"
    t1=$(date +%s%N)
    cpu=$(cut -d' ' -f14,15 "/proc/$pid/stat" | awk -v hz="$ticks" '{printf "%d", ($1 + $2) * 1000 / hz}')
    curl -fs -o /dev/null -H 'Content-Type: application/json' --data-binary @"$work/small.json" "http://127.0.0.1:$port/invocations"
    t2=$(date +%s%N)
    echo "$dist $(( (t1 - t0) / 1000000 )) $(( (t2 - t0) / 1000000 )) $cpu" >>"$work/results"
    if [ "$i" = "$runs" ] && command -v wrk >/dev/null; then
      wrk -t2 -c16 -d3s "http://127.0.0.1:$port/ping" >/dev/null
      printf '{"data": "%s"}' "$(head -c 100000 /dev/zero | tr '\0' x)" >"$work/body.json"
      printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nlocal f = io.open("%s")\nwrk.body = f:read("*a")\n' "$work/body.json" >"$work/post.lua"
      wrk -t2 -c16 -d3s -s "$work/post.lua" "http://127.0.0.1:$port/invocations" >/dev/null
      echo "$dist: resident memory after warm-up (ping, 100 KB echo): $(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status) MB"
    fi
    kill -TERM "$pid"; wait "$pid" || { echo "serve exited $? after SIGTERM" >&2; exit 1; }
    pid=
  done
done
python3 - "$work/results" "$@" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
dists = sys.argv[2:]
def medians(name):
    return tuple(statistics.median(int(r[k]) for r in rows if r[0] == name) for k in (1, 2, 3))
hello = medians("hello") if any(r[0] == "hello" for r in rows) else None
if hello:
    print(f"hello (the floor): median ms to the first /ping 200 {hello[0]:.0f}, to the first /invocations 200 {hello[1]:.0f}, CPU at /ping {hello[2]:.0f}")
first = None
for dist in dists:
    ping, inv, cpu = medians(dist)
    first = first or (ping, inv, cpu)
    ratio = "" if len(dists) == 1 else f"   ratios to the first: {ping / first[0]:.2f} / {inv / first[1]:.2f} / {cpu / first[2]:.2f}"
    if hello:
        ratio += f"   to hello: {ping / hello[0]:.2f} / {inv / hello[1]:.2f} / {cpu / hello[2]:.2f}"
    print(f"{dist}: median ms to the first /ping 200 {ping:.0f}, to the first /invocations 200 {inv:.0f}, CPU at /ping {cpu:.0f}{ratio}")
PY
grep -m1 "Serving on" "$work/serve.log" || true
