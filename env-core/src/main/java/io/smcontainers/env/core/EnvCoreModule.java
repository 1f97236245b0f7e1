package io.smcontainers.env.core;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;

/**
 * Binds the training environment, built once on first use from the {@link ProcessEnvironment} and the
 * {@link HardwareInfo} that the launcher binds. Binding does no I/O; the job folder is read when the
 * environment is first injected.
 */
public final class EnvCoreModule extends AbstractModule {
    @Provides
    @Singleton
    TrainingEnv trainingEnv(ProcessEnvironment environment, HardwareInfo hardware) {
        return TrainingEnv.read(environment.variables(), hardware);
    }
}
