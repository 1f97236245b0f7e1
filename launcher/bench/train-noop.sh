#!/bin/sh
# Start-up cost of `train` on a no-op entry point, against a bare `java -version` and a bare `python3 -c pass`
# measured in the same run (hyperfine, median of N runs), plus peak memory (GNU time).
# With boto3 importable (Debian: python3-boto3) it also runs the floor of the reference Python launcher
# (sagemaker-training, which PyPI's absence keeps off this machine): one interpreter importing the modules its `train`
# entry imports at module level (environment.py, intermediate_output.py, trainer.py: boto3, boto3.s3.transfer, six and
# the standard library; inotify_simple left out, not packaged) and then running the same no-op script as a child, as
# the reference does. The reference's own work (reading the job, logging, the success file) comes on top, so a ratio
# to this floor is an upper bound of the ratio to the reference.
# Usage: launcher/bench/train-noop.sh [runs]   (after `mvn -pl launcher -am package`; needs hyperfine, /usr/bin/time)
set -eu
runs=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
dist="$here/../target/dist"
# the interpreter itself, not a version-manager shim (pyenv's shim adds ~150 ms to every start)
python=${SMC_PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}
job=$(mktemp -d)
trap 'rm -rf "$job"' EXIT
mkdir -p "$job/input/config" "$job/code" "$job/model"
printf '{"sagemaker_program": "\\"noop.py\\""}' > "$job/input/config/hyperparameters.json"
printf '{}' > "$job/input/config/inputdataconfig.json"
printf '{"current_host": "algo-1", "hosts": ["algo-1"]}' > "$job/input/config/resourceconfig.json"
echo 'pass' > "$job/code/noop.py"
export SAGEMAKER_BASE_DIR="$job" SMC_PYTHON="$python"
set --
if "$python" -c 'import boto3' 2>/dev/null; then
  cat > "$job/reference-floor.py" <<'PY'
import concurrent.futures, importlib, json, logging, multiprocessing, os, shlex, shutil, socket, subprocess, sys, time
import traceback
import boto3
import boto3.s3.transfer
from six.moves.urllib.parse import urlparse
subprocess.run([sys.executable, sys.argv[1]], check=True)
PY
  set -- -n reference-floor "$python $job/reference-floor.py $job/code/noop.py"
else
  echo "boto3 is not importable by $python: no reference floor (apt-get install -y python3-boto3)" >&2
fi
hyperfine -N -w 3 -r "$runs" --export-json "$job/result.json" \
  -n java-version 'java -version' -n python-noop "$python -c pass" -n train "$dist/bin/train" "$@" > /dev/null
python3 - "$job/result.json" <<'PY'
import json, sys
r = {b["command"]: b for b in json.load(open(sys.argv[1]))["results"]}
java, py, train = (r[n]["median"] for n in ("java-version", "python-noop", "train"))
print("median wall: java -version %.1f ms, python3 -c pass %.1f ms, train %.1f ms" % (java * 1e3, py * 1e3, train * 1e3))
print("train / java -version = %.2f; train - java -version = %.1f ms" % (train / java, (train - java) * 1e3))
if "reference-floor" in r:
    floor = r["reference-floor"]["median"]
    print("reference launcher's floor %.1f ms: train / floor = %.2f (issue 13's target: 0.35 of the reference), "
          "java -version / floor = %.2f" % (floor * 1e3, train / floor, java / floor))
PY
peak=0
for i in 1 2 3 4 5; do
  kb=$(/usr/bin/time -f %M "$dist/bin/train" 2>&1 >/dev/null | tail -1)
  [ "$kb" -gt "$peak" ] && peak=$kb
done
echo "peak RSS of train (max of 5): $((peak / 1024)) MiB"
