package io.smcontainers.serving.netty;

import io.smcontainers.env.core.ServingEnv;
import io.smcontainers.framework.spi.ModelHandler;
import java.nio.file.Path;

/** Starts the hosting server; bound by {@link ServingModule} and used by the launcher's {@code serve}. */
@FunctionalInterface
public interface ServerStarter {
    /**
     * Validates the handler, binds the port and starts loading the model in the background.
     *
     * @param modelDir the model folder (or the multi-model root)
     * @throws IllegalStateException when the handler is invalid
     * @throws java.io.UncheckedIOException when the port cannot be bound
     */
    ServingServer start(ServingEnv env, ModelHandler<?> handler, Path modelDir);
}
