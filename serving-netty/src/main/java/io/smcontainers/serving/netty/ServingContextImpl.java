package io.smcontainers.serving.netty;

import io.smcontainers.env.core.ServingEnv;
import io.smcontainers.framework.spi.ServingContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** {@link ServingContext} over the {@link ServingEnv}. */
final class ServingContextImpl implements ServingContext {
    private final ServingEnv env;
    private final Path modelDir;

    ServingContextImpl(ServingEnv env, Path modelDir) {
        this.env = env;
        this.modelDir = modelDir;
    }

    @Override
    public Path baseDir() {
        return env.baseDir();
    }

    @Override
    public Path modelDir() {
        return modelDir;
    }

    @Override
    public int workers() {
        return env.workers();
    }

    @Override
    public String defaultAccept() {
        return env.defaultAccept();
    }

    @Override
    public Optional<Integer> maxPayloadInMb() {
        return env.maxPayloadInMb();
    }

    @Override
    public boolean multiModel() {
        return env.multiModel();
    }

    @Override
    public Optional<String> program() {
        return env.program();
    }

    @Override
    public Map<String, String> environment() {
        return env.environment();
    }
}
