package io.smcontainers.launcher.warmup;

import io.smcontainers.framework.spi.InvocationContext;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.Payload;
import io.smcontainers.framework.spi.ServingContext;
import java.nio.file.Path;

/**
 * The echo model {@code warm-up} serves (through {@code SAGEMAKER_SERVING_MODULE}) so that the serve archive holds the
 * classes of a whole request: load, {@code /ping}, {@code /invocations}, drain. Public for the class-name lookup only.
 */
public final class WarmUpHandler implements ModelHandler<String> {
    @Override
    public String loadModel(Path modelDir, ServingContext context) {
        return "echo";
    }

    @Override
    public Concurrency concurrency() {
        return Concurrency.SHARED;
    }

    @Override
    public InvocationResponse transform(
            String model, Payload body, String contentType, String accept, InvocationContext context) {
        return InvocationResponse.of(body.bytes(), contentType);
    }
}
