package io.smcontainers.launcher.testing;

import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.RunOptions;
import io.smcontainers.framework.spi.TrainingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Java framework as a container author writes one, with the SPI's hooks only: it adds a variable to the user process
 * ({@link #userEnvironment}), puts {@code /usr/bin/env WRAPPED=...} in front of every command ({@link #customizeCommand})
 * and runs the entry point with its own runner choice (torchrun when the hyperparameter {@code use_torchrun} is set).
 */
public final class EnvFramework implements Framework {
    @Override
    public Map<String, String> userEnvironment(TrainingContext context) {
        return Map.of("FROM_FRAMEWORK", "yes:" + context.currentHost());
    }

    @Override
    public List<String> customizeCommand(List<String> argv, Map<String, String> environment) {
        List<String> wrapped = new ArrayList<>(List.of("/usr/bin/env", "WRAPPED=" + environment.get("FROM_FRAMEWORK")));
        wrapped.addAll(argv);
        return wrapped;
    }

    @Override
    public void train(TrainingContext context) throws Exception {
        RunOptions.Runner runner = context.hyperparameters().containsKey("use_torchrun")
                ? RunOptions.Runner.TORCH_DISTRIBUTED
                : RunOptions.Runner.PROCESS;
        context.runEntryPoint(
                new RunOptions(Optional.empty(), List.of("--from", "framework"), Map.of("EXTRA", "1"), runner, true));
    }
}
