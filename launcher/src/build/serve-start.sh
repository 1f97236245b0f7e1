# Sourced by the start-up benchmarks (launcher/bench/start-cpu.sh, serving-netty/bench/cold-start.sh).
# start_serve DIST PORT BASE_DIR MODEL_DIR LOG: starts DIST/bin/serve on 127.0.0.1:PORT in the background, its pid in
# $pid, and returns at the first 200 on /ping; when serve exits first, prints LOG and exits 1.
start_serve() {
  local dist=$1 port=$2 base=$3 model=$4 log=$5
  SMC_BIND_ADDRESS=127.0.0.1 SAGEMAKER_BIND_TO_PORT=$port SAGEMAKER_BASE_DIR=$base "$dist/bin/serve" --model-dir "$model" 2>"$log" &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/ping"; do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.005
  done
}
