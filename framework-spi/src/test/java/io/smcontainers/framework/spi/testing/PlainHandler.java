package io.smcontainers.framework.spi.testing;

import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.ServingContext;
import java.nio.file.Path;

/** A handler that overrides only {@link #loadModel}. */
public final class PlainHandler implements ModelHandler<String> {
    @Override
    public String loadModel(Path modelDir, ServingContext context) {
        return modelDir.toString();
    }
}
