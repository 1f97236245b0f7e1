#!/usr/bin/env bash
# Start-up cost of two builds of the dist, compared in the same run and interleaved run by run, so that a busy machine
# loads both alike: `train` on a no-op script (to exit), `env` (to exit) and `serve` (to the first 200 on /ping, with
# the echo handler of launcher/src/build/echo-model.sh). Reports the median CPU time (user + system, of the process
# tree for train/env, of the server for serve), which load barely moves, and the median wall time; ratios NEW / BASE.
# Usage: launcher/bench/start-cpu.sh BASE_DIST NEW_DIST [runs, default 15]   (each DIST a launcher/target/dist built
#        in place: the CDS archives are tied to their folder). Needs python3, curl, javac, GNU time.
set -euo pipefail
base=$1 new=$2 runs=${3:-15}
here=$(cd "$(dirname "$0")" && pwd)
python=$(python3 -c 'import sys; print(sys.executable)')
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
job=$work/job
mkdir -p "$job/input/config" "$job/code" "$job/model"
printf '{"sagemaker_program": "\\"noop.py\\""}' > "$job/input/config/hyperparameters.json"
printf '{}' > "$job/input/config/inputdataconfig.json"
printf '{"current_host": "algo-1", "hosts": ["algo-1"]}' > "$job/input/config/resourceconfig.json"
echo pass > "$job/code/noop.py"
. "$here/../src/build/serve-start.sh"
"$here/../src/build/echo-model.sh" "$work/model" "$new"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ticks=$(getconf CLK_TCK)

# prints "cpu_ms wall_ms" of one run of DIST/bin/sagemaker-toolkit ARGS... to exit
to_exit() {
  local dist=$1; shift
  local t0 t1 cpu
  t0=$(date +%s%N)
  cpu=$(SAGEMAKER_BASE_DIR=$job SMC_PYTHON=$python /usr/bin/time -f '%U %S' "$dist/bin/sagemaker-toolkit" "$@" 2>&1 >/dev/null | tail -1)
  t1=$(date +%s%N)
  echo "$cpu $(( (t1 - t0) / 1000000 ))" | awk '{printf "%d %d\n", ($1 + $2) * 1000, $3}'
}

# prints "cpu_ms wall_ms" of one serve start to the first /ping 200
to_ping() {
  local dist=$1 t0 t1 stat
  t0=$(date +%s%N)
  start_serve "$dist" "$port" "$work" "$work/model" "$work/serve.log"
  t1=$(date +%s%N)
  stat=$(cut -d' ' -f14,15 "/proc/$pid/stat")
  kill -TERM "$pid"; wait "$pid" || true
  pid=
  echo "$stat $(( (t1 - t0) / 1000000 ))" | awk -v hz="$ticks" '{printf "%d %d\n", ($1 + $2) * 1000 / hz, $3}'
}

for i in $(seq "$runs"); do
  for which in base new; do
    dist=${!which}
    echo "$which train $(to_exit "$dist" train)" >> "$work/results"
    echo "$which env $(to_exit "$dist" env)" >> "$work/results"
    echo "$which serve $(to_ping "$dist")" >> "$work/results"
  done
done
python3 - "$work/results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
med = {}
for which, command, cpu, wall in rows:
    med.setdefault((which, command), ([], []))
    med[(which, command)][0].append(int(cpu)); med[(which, command)][1].append(int(wall))
for command in ("train", "env", "serve"):
    b, n = med[("base", command)], med[("new", command)]
    bc, nc, bw, nw = (statistics.median(x) for x in (b[0], n[0], b[1], n[1]))
    print(f"{command:5}  cpu median base {bc:6.0f} ms  new {nc:6.0f} ms  new/base {nc / bc:.3f}   "
          f"wall median base {bw:6.0f} ms  new {nw:6.0f} ms  new/base {nw / bw:.3f}")
PY
