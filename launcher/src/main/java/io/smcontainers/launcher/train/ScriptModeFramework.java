package io.smcontainers.launcher.train;

import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.RunOptions;
import io.smcontainers.framework.spi.TrainingContext;

/** The built-in framework when none is configured: runs the user entry point with the job's own settings. */
public final class ScriptModeFramework implements Framework {
    @jakarta.inject.Inject
    ScriptModeFramework() {}

    @Override
    public String name() {
        return "script mode";
    }

    @Override
    public void train(TrainingContext context) throws Exception {
        context.runEntryPoint(RunOptions.defaults());
    }
}
