package io.smcontainers.framework.spi;

import java.util.Optional;

/**
 * What a framework container (PyTorch, XGBoost, a Java model, ...) plugs into the toolkit.
 *
 * <p>The launcher finds exactly one implementation: the class named by {@code SAGEMAKER_TRAINING_MODULE}
 * (a fully qualified class name with a public no-argument constructor), else the single provider
 * registered in {@code META-INF/services/io.smcontainers.framework.spi.Framework}, else the built-in
 * script-mode framework, which runs the user entry point.
 *
 * <p>This module depends on the JDK only. A framework that wants to replace or add launcher bindings
 * (its own runner, extra environment variables) may also implement {@code com.google.inject.Module};
 * the launcher then installs it as an override of its own modules.
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
     * The model handler {@code serve} hosts, when this framework serves models; empty (the default) means it
     * does not, and {@code serve} then fails with a message naming the framework. Called once at start-up.
     */
    default Optional<ModelHandler<?>> serving(ServingContext context) {
        return Optional.empty();
    }

    /**
     * A Python module of handler defaults for serving a user's {@code inference.py} (python-workers spec): the class-path
     * resource name of one {@code .py} file, found with this framework's class loader, e.g.
     * {@code com/example/pytorch/pytorch_defaults.py}. Its {@code model_fn}, {@code input_fn}, {@code predict_fn},
     * {@code output_fn} or {@code transform_fn} are used where the user module has none (runtime defaults &lt; framework
     * defaults &lt; user functions). Empty (the default) means none; it matters only when {@link #serving} is empty.
     */
    default Optional<String> pythonDefaults() {
        return Optional.empty();
    }
}
