package com.example;

import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.RunOptions;
import io.smcontainers.framework.spi.TrainingContext;
import io.smcontainers.framework.spi.UserCodeException;
import java.nio.file.Files;
import java.util.Map;

/**
 * A framework container's Java side: checks the job, runs the user's script with one extra variable (the SPI's
 * {@link #userEnvironment} hook), and records how long it took next to the model. Depends on framework-spi only.
 */
public final class TimedFramework implements Framework {
    @Override
    public String name() {
        return "timed-framework";
    }

    @Override
    public Map<String, String> userEnvironment(TrainingContext context) {
        return Map.of("FRAMEWORK_NAME", name());
    }

    @Override
    public void train(TrainingContext context) throws Exception {
        if (!context.hyperparameters().containsKey("epochs")) {
            throw new UserCodeException("TimedFramework needs the hyperparameter 'epochs'");
        }
        long start = System.nanoTime();
        context.runEntryPoint(RunOptions.defaults());
        long millis = (System.nanoTime() - start) / 1_000_000;
        Files.writeString(context.modelDir().resolve("training-time-ms.txt"), Long.toString(millis));
    }
}
