package io.smcontainers.launcher.testing;

import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.TrainingContext;
import java.util.Optional;

/** A framework that serves through the Python backend with its own Python defaults module (PythonServeIT). */
public final class PythonDefaultsFramework implements Framework {
    public static final String DEFAULTS = "io/smcontainers/launcher/testing/fw_defaults.py";

    @Override
    public void train(TrainingContext context) {
        throw new UnsupportedOperationException("serving only");
    }

    @Override
    public Optional<String> pythonDefaults() {
        return Optional.of(DEFAULTS);
    }
}
