package io.smcontainers.launcher.train;

import io.smcontainers.framework.spi.TrainingContext;
import java.util.Map;

/**
 * Adds variables to the user process environment, after the {@code SM_*} set and {@code PYTHONPATH}. A framework
 * registers one from its Guice module with {@code LauncherModule.environmentBinder(binder).addBinding().to(...)}.
 */
@FunctionalInterface
public interface EnvironmentContributor {
    Map<String, String> variables(TrainingContext context);
}
