#!/usr/bin/env bash
# Python-backend benchmark (python-workers spec 4.4, issue 8): drives, alternately in the same rounds with wrk,
#   py   - `serve` with the Python backend and the echo inference.py of bench/python-echo (W workers),
#   java - the same `serve` with a Java echo ModelHandler (launcher/src/build/echo-model.sh),
#   ref  - the sagemaker-containers stack from Debian packages: nginx -> gunicorn (gevent, W workers) -> a Flask app
#          calling the same four functions the way SC's Transformer does (bench/reference/sc_app.py),
# on /ping and /invocations with 100 B and 100 KB JSON bodies at 16 and 64 connections. Reports medians over rounds
# of req/s, p99, server CPU ms per 1,000 requests (whole process tree), cold start (launch to the first /ping and
# the first /invocations 200, median of COLD runs) and PSS of the process tree after warm-up, plus same-run ratios.
# Usage: serving-netty/bench/python.sh [seconds per wrk run, default 5] [rounds, default 3]
#   env: WORKERS (default 2), COLD (cold-start runs, default 3), SMC_PYTHON (default /usr/bin/python3)
# Needs wrk, curl, nginx, gunicorn, python3-flask, python3-gevent, javac; run after
# `mvn -B -ntp -pl serving-netty,launcher -am package -DskipTests` (builds launcher/target/dist). Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-5}
rounds=${2:-3}
workers=${WORKERS:-2}
cold_runs=${COLD:-3}
python=${SMC_PYTHON:-/usr/bin/python3}
dist=launcher/target/dist
bench=serving-netty/bench
for tool in wrk curl nginx gunicorn javac; do
  command -v $tool >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
[ -x "$dist/bin/serve" ] || { echo "$dist/bin/serve is missing: mvn -B -ntp -pl serving-netty,launcher -am package -DskipTests" >&2; exit 1; }
work=$(mktemp -d)
declare -A roots=()
stop_all() {
  for kind in "${!roots[@]}"; do stop_stack "$kind"; done
}
trap 'stop_all; rm -rf "$work"' EXIT

launcher/src/build/echo-model.sh "$work/java-model" "$dist"
mkdir -p "$work/py-model" && cp -r "$bench/python-echo/code" "$work/py-model/"
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
for name, size in (("inv100", 100), ("inv100k", 100 * 1024)):
    body = ('{"data": "' + "x" * (size - 12) + '"}')[:size - 2] + '"}'
    with open(f"{w}/{name}.lua", "w") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
        f.write('wrk.body = "' + body.replace('"', '\\"') + '"\n')
PY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
declare -A port=([py]=$(free_port) [java]=$(free_port) [ref]=$(free_port))

start_stack() { # kind -> root pids in roots[kind]
  local kind=$1 p=${port[$1]}
  case $kind in
    py|java)
      local model=$work/$kind-model extra=()
      [ "$kind" = py ] && extra=(SMC_SERVING_BACKEND=python)
      mkdir -p "$work/$kind-base"
      env "${extra[@]}" SMC_PYTHON="$python" SAGEMAKER_MODEL_SERVER_WORKERS="$workers" SMC_BIND_ADDRESS=127.0.0.1 \
        SAGEMAKER_BIND_TO_PORT="$p" SAGEMAKER_BASE_DIR="$work/$kind-base" \
        "$dist/bin/serve" --model-dir "$model" >>"$work/$kind.log" 2>&1 &
      roots[$kind]=$!
      ;;
    ref)
      local dir=$work/ref
      mkdir -p "$dir/body" "$dir/proxy" "$dir/fastcgi" "$dir/uwsgi" "$dir/scgi"
      chmod o+x "$work" "$dir"  # nginx workers run as an unprivileged user when started as root
      sed -e "s|@PORT@|$p|g" -e "s|@SOCK@|$dir/gunicorn.sock|g" -e "s|@DIR@|$dir|g" \
        "$bench/reference/nginx.conf" >"$dir/nginx.conf"
      nginx -c "$dir/nginx.conf" -p "$dir" -e stderr >>"$work/ref.log" 2>&1 &
      local nginx_pid=$!
      SM_MODEL_DIR="$work/py-model" gunicorn --timeout 60 -k gevent \
        --pythonpath "$bench/python-echo/code,$bench/reference" -b "unix:$dir/gunicorn.sock" \
        --worker-connections $((1000 * workers)) -w "$workers" --log-level info sc_app:app >>"$work/ref.log" 2>&1 &
      roots[$kind]="$nginx_pid $!"
      ;;
  esac
}

stop_stack() {
  local kind=$1 pid
  for pid in ${roots[$kind]:-}; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in ${roots[$kind]:-}; do wait "$pid" 2>/dev/null || true; done
  unset "roots[$kind]"
}

wait_for() { # kind path [curl args] -> ms since $t0
  local kind=$1 path=$2
  shift 2
  until curl -fs -o /dev/null "$@" "http://127.0.0.1:${port[$kind]}$path"; do
    for pid in ${roots[$kind]}; do
      kill -0 "$pid" 2>/dev/null || { echo "$kind died:" >&2; tail -30 "$work/$kind.log" >&2; exit 1; }
    done
    sleep 0.005
  done
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}

median() { python3 -c 'import statistics, sys; rows = [list(map(float, r.split())) for r in sys.argv[1:]]; print(" ".join(f"{statistics.median(c):.2f}" for c in zip(*rows)))' "$@"; }

# cold start: launch to the first /ping 200 and to the first /invocations 200 (the reference loads on first request)
declare -A cold=()
for kind in py java ref; do
  runs=()
  for _ in $(seq "$cold_runs"); do
    t0=$(date +%s%N)
    start_stack $kind
    ping_ms=$(wait_for $kind /ping)
    inv_ms=$(wait_for $kind /invocations -H 'Content-Type: application/json' -d '{"a": 1}')
    runs+=("$ping_ms $inv_ms")
    stop_stack $kind
  done
  cold[$kind]=$(median "${runs[@]}")
done

for kind in py java ref; do
  t0=$(date +%s%N)
  start_stack $kind
  wait_for $kind /invocations -H 'Content-Type: application/json' -d '{"a": 1}' >/dev/null
done

run_wrk() { # kind path script conns -> "rps p99ms cpu_ms_per_1000 non2xx"
  local kind=$1 path=$2 script=$3 conns=$4 args=() before after
  [ -n "$script" ] && args=(-s "$work/$script.lua")
  before=$(python3 "$bench/proctree.py" cpu ${roots[$kind]})
  wrk -t2 -c"$conns" -d"${duration}s" --latency "${args[@]}" "http://127.0.0.1:${port[$kind]}$path" >"$work/wrk.out"
  after=$(python3 "$bench/proctree.py" cpu ${roots[$kind]})
  python3 - "$work/wrk.out" "$before" "$after" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
requests = int(re.search(r"(\d+) requests in", text).group(1))
m = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
socket_errors = re.search(r"Socket errors: (.*)", text)
if socket_errors:
    sys.stderr.write("wrk socket errors: " + socket_errors.group(1) + "\n")
cpu = (float(sys.argv[3]) - float(sys.argv[2])) * 1000 / max(requests, 1)
print(f"{rps:.0f} {p99:.2f} {cpu:.1f} {errors.group(1) if errors else 0}")
PY
}

# warm-up, then PSS of each tree
for kind in py java ref; do
  wrk -t2 -c16 -d2s "http://127.0.0.1:${port[$kind]}/ping" >/dev/null
  wrk -t2 -c64 -d2s -s "$work/inv100k.lua" "http://127.0.0.1:${port[$kind]}/invocations" >/dev/null
  wrk -t2 -c64 -d2s -s "$work/inv100.lua" "http://127.0.0.1:${port[$kind]}/invocations" >/dev/null
done
declare -A pss=() procs=()
for kind in py java ref; do
  pss[$kind]=$(python3 "$bench/proctree.py" pss ${roots[$kind]})
  procs[$kind]=$(python3 "$bench/proctree.py" count ${roots[$kind]})
done

declare -A result=()
kinds=(py java ref)
for scenario in ping inv100 inv100k; do
  path=$([ $scenario = ping ] && echo /ping || echo /invocations)
  script=$([ $scenario = ping ] && echo "" || echo $scenario)
  for conns in 16 64; do
    declare -a py_runs=() java_runs=() ref_runs=()
    for r in $(seq "$rounds"); do
      for i in 0 1 2; do # rotate the order every round
        kind=${kinds[$(( (i + r) % 3 ))]}
        line=$(run_wrk $kind $path "$script" $conns)
        eval "${kind}_runs+=(\"\$line\")"
      done
    done
    result[py,$scenario,$conns]=$(median "${py_runs[@]}")
    result[java,$scenario,$conns]=$(median "${java_runs[@]}")
    result[ref,$scenario,$conns]=$(median "${ref_runs[@]}")
  done
done

ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.2f}' if b else 'n/a')" "$1" "$2"; }
echo
echo "W=$workers, $rounds rounds x ${duration}s per run, medians; $(nproc) CPUs; $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-8s %5s | %8s %8s %8s | %7s %7s | %7s %7s %7s | %6s %6s %6s | %7s %7s\n' scenario conns "py rps" "java rps" \
  "ref rps" "py/ref" "py/java" "py p99" "jv p99" "ref p99" "py cpu" "jv cpu" "ref cpu" "cpu p/r" "p99 p/r"
for scenario in ping inv100 inv100k; do
  for conns in 16 64; do
    read -r pr pp pc pe <<<"${result[py,$scenario,$conns]}"
    read -r jr jp jc je <<<"${result[java,$scenario,$conns]}"
    read -r rr rp rc re <<<"${result[ref,$scenario,$conns]}"
    printf '%-8s %5s | %8.0f %8.0f %8.0f | %7s %7s | %7s %7s %7s | %6.0f %6.0f %6.0f | %7s %7s%s\n' $scenario $conns \
      "$pr" "$jr" "$rr" "$(ratio "$pr" "$rr")" "$(ratio "$pr" "$jr")" "$pp" "$jp" "$rp" "$pc" "$jc" "$rc" \
      "$(ratio "$pc" "$rc")" "$(ratio "$pp" "$rp")" \
      "$( [ "${pe%.*}${je%.*}${re%.*}" != 000 ] && echo "  (non-2xx py/java/ref: $pe/$je/$re)")"
  done
done
echo "(rps = requests/s; p99 in ms; cpu = server CPU ms per 1,000 requests, whole process tree)"
echo
for kind in py java ref; do
  read -r cp ci <<<"${cold[$kind]}"
  echo "$kind: cold start to first /ping 200 ${cp%.*} ms, to first /invocations 200 ${ci%.*} ms; PSS ${pss[$kind]} MB in ${procs[$kind]} processes"
done
read -r _ pyi <<<"${cold[py]}"; read -r _ refi <<<"${cold[ref]}"
echo "cold start py/ref: $(ratio "$pyi" "$refi"); PSS py/ref: $(ratio "${pss[py]}" "${pss[ref]}")"
