package io.smcontainers.container.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.smcontainers.framework.spi.InvocationContext;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.Payload;
import io.smcontainers.framework.spi.ServingContext;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model handler {@code ContainerServeIT} packs into {@code /opt/ml/model/code/handler.jar}. Bodies: {@code slow}
 * writes {@code <model>/in-flight}, sleeps 3 s and answers {@code slept}; {@code fail} throws; anything else is echoed.
 */
public final class SlowEchoHandler implements ModelHandler<Path> {
    @Override
    public Path loadModel(Path modelDir, ServingContext context) {
        return modelDir;
    }

    @Override
    public Concurrency concurrency() {
        return Concurrency.SHARED;
    }

    @Override
    public InvocationResponse transform(
            Path model, Payload body, String contentType, String accept, InvocationContext context) throws Exception {
        if (body.text().equals("slow")) {
            Files.writeString(model.resolve("in-flight"), "yes");
            Thread.sleep(3000);
            return InvocationResponse.of("slept".getBytes(UTF_8), "text/plain");
        }
        if (body.text().equals("fail")) {
            throw new IllegalArgumentException("cannot score 'fail' (on purpose)");
        }
        return InvocationResponse.of(body.bytes(), contentType);
    }
}
