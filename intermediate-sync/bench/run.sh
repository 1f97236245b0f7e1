#!/usr/bin/env bash
# Benchmark of intermediate-sync against a plain sequential upload loop, same S3 server (S3Mock), same run.
# Usage: intermediate-sync/bench/run.sh [-Dbench.server=s3proxy|s3mock] [-Dbench.small=10000] [-Dbench.large=3] [-Dbench.largeMb=256] ...
# Needs ~3 GB free in the temp folder. Prints figures and ratios; see intermediate-sync/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q test-compile dependency:copy@fetch-s3mock -Dsmc.check.skip=true
mvn -B -ntp -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
exec java -Xmx512m -XX:+UseParallelGC -Ds3mock.jar=target/s3mock/s3mock-exec.jar \
  -Ds3proxy.jar=target/s3mock/s3proxy.jar "$@" \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.smcontainers.intermediate.sync.SyncBenchmark
