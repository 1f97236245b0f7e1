#!/bin/sh
# Builds the example framework against the distribution's framework-spi.jar, drops it into a copy of the
# distribution's lib/ (found through ServiceLoader: no SAGEMAKER_TRAINING_MODULE needed) and trains the script-mode
# example with it. Run from the repository root after `mvn -pl launcher -am package`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
cp -r "$root/launcher/target/dist" "$work/dist"
rm -rf "$work/dist/lib/jvm-cache"   # the archives are tied to the original class path
mkdir -p "$work/classes"
javac --release 17 -d "$work/classes" -cp "$work/dist/lib/framework-spi.jar" "$here/src/com/example/TimedFramework.java"
cp -r "$here/resources/META-INF" "$work/classes/"
jar --create --file "$work/dist/lib/timed-framework.jar" -C "$work/classes" .
"$work/dist/bin/sagemaker-toolkit" local train --source-dir "$root/examples/script-mode" --entry-point train.py \
  --hyperparameters '{"epochs": 200}' --channel "training=$root/examples/script-mode/data" --output "$work/job"
echo "training time: $(cat "$work/job/model/training-time-ms.txt") ms (written by TimedFramework)"
