#!/usr/bin/env bash
# Writer slowdown and drain rate of the sync, baseline build vs this build, same S3 server (S3Proxy), same run.
# Usage: intermediate-sync/bench/writer.sh [-Dbench.rounds=5] [-Dbench.serverNice=0] [-Dbench.small=5000] ...
# The baseline is main's intermediate-sync sources (BENCH_BASELINE=<git ref> to choose), compiled here.
# Needs ~2 GB free in the temp folder. Prints figures and ratios; see intermediate-sync/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
baseline_ref="${BENCH_BASELINE:-main}"
mvn -B -ntp -q test-compile dependency:copy@fetch-s3mock -Dsmc.check.skip=true
mvn -B -ntp -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
rm -rf target/bench-baseline
mkdir -p target/bench-baseline/classes
git -C .. archive "$baseline_ref" intermediate-sync/src/main/java | tar -x -C target/bench-baseline
javac -nowarn -d target/bench-baseline/classes -cp "$(cat target/bench.classpath)" \
  $(find target/bench-baseline/intermediate-sync/src/main/java -name "*.java")
echo "baseline: $baseline_ref ($(git -C .. rev-parse --short "$baseline_ref")), current: $(git -C .. rev-parse --short HEAD)$(git -C .. diff --quiet || echo '+changes')"
exec java -Xmx1g -XX:+UseParallelGC -Ds3proxy.jar=target/s3mock/s3proxy.jar \
  -Dbench.baseline=target/bench-baseline/classes -Dbench.current=target/classes \
  -Dbench.testClasses=target/test-classes -Dbench.deps="$(cat target/bench.classpath)" "$@" \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.smcontainers.intermediate.sync.WriterBenchmark
