package io.smcontainers.env.core;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;

/**
 * Binds the environment of one command, built from the {@link ProcessEnvironment} and the {@link HardwareInfo} that
 * the launcher binds: {@link #training()} binds {@link TrainingEnv} ({@code train}, {@code env}), {@link #serving()}
 * binds {@link ServingEnv} ({@code serve}). Binding does no I/O; the job folder is read when the environment is first
 * created (at injector creation in {@code Stage.PRODUCTION}, which creates singletons eagerly).
 */
public final class EnvCoreModule extends AbstractModule {
    private final boolean training;

    private EnvCoreModule(boolean training) {
        this.training = training;
    }

    /** Binds {@link TrainingEnv}. */
    public static EnvCoreModule training() {
        return new EnvCoreModule(true);
    }

    /** Binds {@link ServingEnv}. */
    public static EnvCoreModule serving() {
        return new EnvCoreModule(false);
    }

    @Override
    protected void configure() {
        if (training) {
            install(new AbstractModule() {
                @Provides
                @Singleton
                TrainingEnv trainingEnv(ProcessEnvironment environment, HardwareInfo hardware) {
                    return TrainingEnv.read(environment.variables(), hardware);
                }
            });
        } else {
            install(new AbstractModule() {
                @Provides
                @Singleton
                ServingEnv servingEnv(ProcessEnvironment environment, HardwareInfo hardware) {
                    return ServingEnv.fromEnvironment(environment.variables(), hardware.cpuCount());
                }
            });
        }
    }
}
