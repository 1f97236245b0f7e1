package io.smcontainers.launcher.train;

import static java.util.Objects.requireNonNull;

import io.smcontainers.env.core.TrainingEnv;
import io.smcontainers.framework.spi.RunOptions;
import io.smcontainers.framework.spi.TrainingContext;
import io.smcontainers.framework.spi.UserCodeException;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@link TrainingContext} over the one {@link TrainingEnv} of the run; decoded values as the SPI's JSON values. */
public final class DefaultTrainingContext implements TrainingContext {
    private final TrainingEnv env;
    private final EntryPointService service;
    private final Map<String, Object> hyperparameters;
    private final Map<String, Object> frameworkParameters;

    @Inject
    DefaultTrainingContext(TrainingEnv env, EntryPointService service) {
        this.env = requireNonNull(env, "env is null");
        this.service = requireNonNull(service, "service is null");
        this.hyperparameters = SpiJson.object(env.hyperparameters());
        this.frameworkParameters = SpiJson.object(env.frameworkParameters());
    }

    @Override
    public Path baseDir() {
        return env.paths().base();
    }

    @Override
    public Path codeDir() {
        return env.paths().code();
    }

    @Override
    public Path modelDir() {
        return env.paths().model();
    }

    @Override
    public Path outputDataDir() {
        return env.paths().outputData();
    }

    @Override
    public String currentHost() {
        return env.currentHost();
    }

    @Override
    public List<String> hosts() {
        return env.hosts();
    }

    @Override
    public boolean isMaster() {
        return env.isMaster();
    }

    @Override
    public Map<String, Object> hyperparameters() {
        return hyperparameters;
    }

    @Override
    public Map<String, Object> frameworkParameters() {
        return frameworkParameters;
    }

    @Override
    public Map<String, String> environment() {
        return env.envVars();
    }

    @Override
    public List<String> userArgs() {
        return env.cmdArgs();
    }

    @Override
    public void runEntryPoint(RunOptions options) throws UserCodeException {
        service.run(this, options);
    }
}
