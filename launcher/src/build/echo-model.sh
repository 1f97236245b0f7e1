#!/usr/bin/env bash
# echo-model.sh MODEL_DIR DIST: writes MODEL_DIR/code/handler.jar, a one-class echo ModelHandler registered through
# ServiceLoader, compiled against DIST/lib/framework-spi.jar. Used by serving-netty/bench/cold-start.sh.
set -euo pipefail
model=$1 dist=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/bench" "$work/classes/META-INF/services" "$model/code"
cat >"$work/src/bench/EchoHandler.java" <<'JAVA'
package bench;

import io.smcontainers.framework.spi.InvocationContext;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.Payload;
import io.smcontainers.framework.spi.ServingContext;
import java.nio.file.Path;

public final class EchoHandler implements ModelHandler<String> {
    @Override public String loadModel(Path modelDir, ServingContext context) { return "echo"; }
    @Override public Concurrency concurrency() { return Concurrency.SHARED; }
    @Override public InvocationResponse transform(String model, Payload body, String contentType, String accept, InvocationContext context) {
        return InvocationResponse.of(body.bytes(), contentType);
    }
}
JAVA
javac -nowarn -d "$work/classes" -cp "$dist/lib/framework-spi.jar" "$work/src/bench/EchoHandler.java"
echo bench.EchoHandler >"$work/classes/META-INF/services/io.smcontainers.framework.spi.ModelHandler"
jar cf "$model/code/handler.jar" -C "$work/classes" .
