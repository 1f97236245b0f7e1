#!/bin/sh
# What `sagemaker-toolkit warm-up` buys: `train` on a no-op job with and without the start-up archives, for each JDK
# given (default: the `java` on PATH and every other JDK under /usr/lib/jvm), in one hyperfine run, as ratios.
# Each JDK gets its own copy of target/dist warmed by that JDK; "without" is the same copy with the archives hidden.
# Usage: launcher/bench/warm-up.sh [runs] [java home...]   (after `mvn -pl launcher -am package`; needs hyperfine)
set -eu
runs=${1:-10}
[ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")" && pwd)
dist="$here/../target/dist"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -eq 0 ]; then
  set -- "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  for jdk in /usr/lib/jvm/*; do
    real=$(readlink -f "$jdk")
    [ -x "$real/bin/java" ] && [ -f "$real/release" ] || continue
    case " $* " in *" $real "*) ;; *) set -- "$@" "$real" ;; esac
  done
fi
mkdir -p "$work/job/input/config" "$work/job/code"
printf '{"sagemaker_program": "\\"noop.sh\\""}' > "$work/job/input/config/hyperparameters.json"
printf '{}' > "$work/job/input/config/inputdataconfig.json"
printf '{"current_host": "algo-1", "hosts": ["algo-1"]}' > "$work/job/input/config/resourceconfig.json"
printf '#!/bin/sh\nexit 0\n' > "$work/job/code/noop.sh"
chmod +x "$work/job/code/noop.sh"
set -- "$@"
commands=""
n=0
for jdk in "$@"; do
  n=$((n + 1))
  cp -a "$dist" "$work/dist$n"
  rm -rf "$work/dist$n/lib/jvm-cache"
  JAVA_HOME=$jdk "$work/dist$n/bin/sagemaker-toolkit" warm-up > /dev/null
  cp -a "$work/dist$n" "$work/cold$n"
  rm -rf "$work/cold$n/lib/jvm-cache"
  name=$(basename "$jdk")
  set -- "$@" -n "$name warm" "env JAVA_HOME=$jdk SAGEMAKER_BASE_DIR=$work/job $work/dist$n/bin/train" \
    -n "$name cold" "env JAVA_HOME=$jdk SAGEMAKER_BASE_DIR=$work/job $work/cold$n/bin/train"
done
shift "$n"
hyperfine -N -w 2 -r "$runs" --prepare "rm -rf $work/job/output $work/job/model" --export-json "$work/result.json" "$@" > /dev/null
python3 - "$work/result.json" <<'PY'
import json, sys
r = {b["command"]: b["median"] for b in json.load(open(sys.argv[1]))["results"]}
for name in sorted({k.rsplit(" ", 1)[0] for k in r}):
    warm, cold = r[name + " warm"], r[name + " cold"]
    print("%s: train %.0f ms with the archives, %.0f ms without: %.2fx" % (name, warm * 1e3, cold * 1e3, warm / cold))
PY
