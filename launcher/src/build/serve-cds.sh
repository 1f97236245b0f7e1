#!/usr/bin/env bash
# serve-cds.sh DIST: writes DIST/lib/serve.jsa, the class-data-sharing archive `serve` starts with (bin/sagemaker-toolkit
# uses it when present). Trains it the way a container starts: bin/serve on a throw-away echo model, first /ping 200,
# one /invocations, SIGTERM; the JVM dumps the classes it loaded at exit (-XX:ArchiveClassesAtExit). The archive is
# tied to the JDK that built it: with another JDK the JVM ignores it (-Xshare:auto) and starts without it.
# Run by launcher/pom.xml at package time (execution serve-cds); skip with -Dsmc.serve.cds.skip=true.
set -euo pipefail
dist=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"' EXIT
rm -f "$dist/lib/serve.jsa"
"$here/echo-model.sh" "$work/model" "$dist"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 18989)
SMC_JAVA_OPTS="-XX:ArchiveClassesAtExit=$dist/lib/serve.jsa -Xlog:cds=off -Xlog:cds+dynamic=off" SMC_BIND_ADDRESS=127.0.0.1 SAGEMAKER_BIND_TO_PORT=$port \
  SAGEMAKER_BASE_DIR="$work" "$dist/bin/serve" --model-dir "$work/model" >"$work/serve.out" 2>&1 &
pid=$!
for _ in $(seq 600); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/ping" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/serve.out" >&2; echo "serve-cds: serve exited before answering /ping" >&2; exit 1; }
  sleep 0.05
done
curl -fs -o /dev/null -H 'Content-Type: application/json' -d '{"instances": [1, 2]}' "http://127.0.0.1:$port/invocations"
curl -fs -o /dev/null "http://127.0.0.1:$port/execution-parameters" || true
kill -TERM "$pid"
wait "$pid" || { cat "$work/serve.out" >&2; echo "serve-cds: serve exited $? after SIGTERM" >&2; exit 1; }
pid=
[ -s "$dist/lib/serve.jsa" ] || { cat "$work/serve.out" >&2; echo "serve-cds: no archive written" >&2; exit 1; }
echo "serve-cds: wrote $dist/lib/serve.jsa ($(( $(stat -c %s "$dist/lib/serve.jsa") / 1024 )) KiB)"
