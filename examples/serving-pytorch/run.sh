#!/usr/bin/env bash
# Builds the example PyTorch framework into a copy of the distribution (found through ServiceLoader), writes a
# TorchScript model, and serves it twice with `local serve`: with no user code (the framework's model_fn and
# predict_fn, the runtime's codecs) and with user-code/inference.py overriding input_fn.
# Usage: examples/serving-pytorch/run.sh   (from anywhere; needs /usr/bin/python3 with python3-torch, curl, javac,
# and the toolkit built: mvn -B -ntp install -DskipTests at the repository root)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${SMC_PYTHON:-/usr/bin/python3}
port=${PORT:-8080}
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; }; rm -rf "$work"' EXIT
cp -r "$root/launcher/target/dist" "$work/dist"
rm -f "$work/dist/lib/app.jsa"   # the class-data archive is tied to the original class path
mkdir -p "$work/classes"
javac --release 17 -d "$work/classes" -cp "$work/dist/lib/framework-spi.jar" \
  "$here/src/main/java/com/example/pytorch/PyTorchFramework.java"
cp -r "$here/src/main/resources/." "$work/classes/"
jar --create --file "$work/dist/lib/example-pytorch.jar" -C "$work/classes" .
"$python" "$here/make_model.py" "$work/model"

serve() { # label
  SMC_PYTHON=$python SAGEMAKER_MODEL_SERVER_WORKERS=1 "$work/dist/bin/sagemaker-toolkit" local serve \
    --model-dir "$work/model" --port "$port" >"$work/serve.log" 2>&1 &
  server=$!
  until curl -fs -o /dev/null "localhost:$port/ping"; do
    kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
    sleep 0.1
  done
  echo "== $1"
}
stop() { kill "$server"; wait "$server" || true; server=; }

serve "framework defaults only"
curl -fsS "localhost:$port/invocations" -H 'Content-Type: application/json' -d '[[1, 1, 1], [0, 0, 2]]'; echo
curl -fsS "localhost:$port/invocations" -H 'Content-Type: text/csv' -H 'Accept: text/csv' -d '1,1,1'
stop

mkdir -p "$work/model/code" && cp "$here/user-code/inference.py" "$work/model/code/"
serve "user input_fn over the framework defaults"
curl -fsS "localhost:$port/invocations" -H 'Content-Type: application/json' -d '{"instances": [[1, 1, 1]]}'; echo
stop
