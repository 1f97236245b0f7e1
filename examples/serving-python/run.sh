#!/usr/bin/env bash
# Trains the example model and serves it with `local serve`, then asks it for three predictions in CSV, JSON and NPY.
# Usage: examples/serving-python/run.sh [dist dir, default launcher/target/dist]   (needs /usr/bin/python3 with
# python3-sklearn, curl, and the toolkit built: mvn -B -ntp install -DskipTests at the repository root)
set -euo pipefail
cd "$(dirname "$0")/../.."
dist=${1:-launcher/target/dist}
python=${SMC_PYTHON:-/usr/bin/python3}
model=$(mktemp -d)
log=$model.log
port=${PORT:-8080}
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$model" "$log"' EXIT
"$python" examples/serving-python/train.py "$model"
SMC_PYTHON=$python SAGEMAKER_MODEL_SERVER_WORKERS=2 "$dist/bin/sagemaker-toolkit" local serve --model-dir "$model" \
    --port "$port" >"$log" 2>&1 &
server=$!
for _ in $(seq 600); do
  curl -fs -o /dev/null "localhost:$port/ping" && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
set -x
curl -fsS "localhost:$port/invocations" -H 'Content-Type: text/csv' -H 'Accept: application/json' \
    --data-binary $'5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n'
echo
curl -fsS "localhost:$port/invocations" -H 'Content-Type: application/json' -H 'Accept: text/csv' \
    -d '[[5.9, 3.0, 4.2, 1.5]]'
