package io.smcontainers.launcher.testing;

import com.google.inject.AbstractModule;
import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.RunOptions;
import io.smcontainers.framework.spi.TrainingContext;
import io.smcontainers.launcher.LauncherModule;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Java framework as a container author writes one: it adds a variable to the user process through a Guice binding
 * and runs the entry point with its own runner choice (torchrun when the hyperparameter {@code use_torchrun} is set).
 */
public final class EnvFramework extends AbstractModule implements Framework {
    @Override
    protected void configure() {
        LauncherModule.environmentBinder(binder()).addBinding().toInstance(context -> Map.of("FROM_FRAMEWORK", "yes:" + context.currentHost()));
    }

    @Override
    public void train(TrainingContext context) throws Exception {
        RunOptions.Runner runner = context.hyperparameters().containsKey("use_torchrun") ? RunOptions.Runner.TORCH_DISTRIBUTED
                : RunOptions.Runner.PROCESS;
        context.runEntryPoint(new RunOptions(Optional.empty(), List.of("--from", "framework"), Map.of("EXTRA", "1"), runner, true));
    }
}
