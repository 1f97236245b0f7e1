#!/bin/sh
# Generates the class-data-sharing archive lib/app.jsa of the distribution by running a no-op `train` once with
# -XX:ArchiveClassesAtExit (JDK 13+). Runs at `package`; the archive only helps the JVM that wrote it, and
# bin/sagemaker-toolkit uses it with -Xshare:auto, so a different JVM simply ignores it.
set -eu
dist=$1
job=$(mktemp -d)
trap 'rm -rf "$job"' EXIT
mkdir -p "$job/input/config" "$job/code" "$job/model" "$job/input/data/training"
printf '{"sagemaker_program": "\\"noop.sh\\"", "epochs": "1"}' > "$job/input/config/hyperparameters.json"
printf '{"training": {"TrainingInputMode": "File"}}' > "$job/input/config/inputdataconfig.json"
printf '{"current_host": "algo-1", "hosts": ["algo-1"], "network_interface_name": "eth0"}' > "$job/input/config/resourceconfig.json"
printf '#!/bin/sh\nexit 0\n' > "$job/code/noop.sh"
rm -f "$dist/lib/app.jsa"
SAGEMAKER_BASE_DIR="$job" SMC_JAVA_OPTS="-XX:ArchiveClassesAtExit=$dist/lib/app.jsa -Xlog:cds=off -Xlog:cds+dynamic=off" \
  "$dist/bin/train" > "$job/log" 2>&1 || { cat "$job/log"; exit 1; }
[ -f "$dist/lib/app.jsa" ] || { echo "no CDS archive written" >&2; exit 1; }
