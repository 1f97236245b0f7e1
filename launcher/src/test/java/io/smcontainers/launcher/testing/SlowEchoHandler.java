package io.smcontainers.launcher.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.smcontainers.framework.spi.InvocationContext;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.Payload;
import io.smcontainers.framework.spi.ServingContext;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model handler {@code ServeCommandIT} packs into {@code <model dir>/code/handler.jar} (never on the distribution's
 * class path). The model is its folder; {@code loadModel} fails when the folder holds {@code broken}, and takes 120 s,
 * deaf to interrupts, when it holds {@code slow-load}. Bodies:
 * {@code slow} creates {@code <model>/slow-started}, waits (at most 30 s) until the test creates {@code <model>/release},
 * then answers {@code slept}; {@code where} answers the model folder; anything else is echoed.
 */
public final class SlowEchoHandler implements ModelHandler<Path> {
    @Override
    public Path loadModel(Path modelDir, ServingContext context) throws Exception {
        if (Files.exists(modelDir.resolve("broken"))) {
            throw new IllegalStateException("model file " + modelDir.resolve("broken") + " is corrupt (on purpose)");
        }
        if (Files.exists(modelDir.resolve("slow-load"))) {
            long until = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < until) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    // a native load cannot be interrupted either
                }
            }
        }
        return modelDir;
    }

    @Override
    public Concurrency concurrency() {
        return Concurrency.SHARED;
    }

    @Override
    public InvocationResponse transform(
            Path model, Payload body, String contentType, String accept, InvocationContext context) throws Exception {
        String text = body.text();
        if (text.equals("slow")) {
            Files.createFile(model.resolve("slow-started"));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!Files.exists(model.resolve("release")) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            return InvocationResponse.of("slept".getBytes(UTF_8), "text/plain");
        }
        if (text.equals("where")) {
            return InvocationResponse.of(model.toString().getBytes(UTF_8), "text/plain");
        }
        return InvocationResponse.of(body.bytes(), contentType);
    }
}
