package io.smcontainers.framework.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a framework container (PyTorch, XGBoost, a Java model, ...) plugs into the toolkit.
 *
 * <p>The launcher finds exactly one implementation: the class named by {@code SAGEMAKER_TRAINING_MODULE}
 * (a fully qualified class name with a public no-argument constructor), else the single provider
 * registered in {@code META-INF/services/io.smcontainers.framework.spi.Framework}, else the built-in
 * script-mode framework, which runs the user entry point.
 *
 * <p>This module depends on the JDK only, and so do its hooks: {@link #userEnvironment} adds variables to the user
 * process, {@link #customizeCommand} has the last say over the command that runs the user code. A framework that wants
 * dependency injection for its own classes builds its own injector inside {@link #train}; it never sees the toolkit's.
 */
public interface Framework {
    /** A short name for logs; the class name by default. */
    default String name() {
        return getClass().getName();
    }

    /**
     * Trains. Returning normally reports success ({@code output/success}); throwing reports failure
     * ({@code output/failure}, non-zero exit). Throw {@link UserCodeException} for the user's own
     * mistakes (exit code 1, message written verbatim), anything else for framework errors.
     */
    void train(TrainingContext context) throws Exception;

    /**
     * Variables added to the environment of the user process that {@link TrainingContext#runEntryPoint} starts: after
     * the {@code SM_*} set and {@code PYTHONPATH}, before {@link RunOptions#extraEnvironment()} (which wins on a clash).
     * Called once per {@code runEntryPoint}; none by default.
     */
    default Map<String, String> userEnvironment(TrainingContext context) {
        return Map.of();
    }

    /**
     * The last say over each process {@link TrainingContext#runEntryPoint} starts (the user program, or {@code mpirun} or
     * {@code torchrun} with it): given the argv the toolkit built and the environment the process gets, returns the argv
     * to run, e.g. with a wrapper program in front. Never re-parsed by a shell. Unchanged by default.
     */
    default List<String> customizeCommand(List<String> argv, Map<String, String> environment) {
        return argv;
    }

    /**
     * The model handler {@code serve} hosts, when this framework serves models; empty (the default) means it
     * does not, and {@code serve} then fails with a message naming the framework. Called once at start-up.
     */
    default Optional<ModelHandler<?>> serving(ServingContext context) {
        return Optional.empty();
    }
}
