package io.smcontainers.launcher;

import io.smcontainers.framework.spi.Framework;
import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds the Java framework of the container: the class named by {@code SAGEMAKER_TRAINING_MODULE} when the value is a
 * class name (no {@code :}), else the single {@link Framework} provider registered with {@link ServiceLoader}. Empty
 * means a Python framework module ({@code module:function}) or script mode.
 */
final class FrameworkLocator {
    static final String TRAINING_MODULE = "SAGEMAKER_TRAINING_MODULE";

    private FrameworkLocator() {}

    /** The Java framework that {@code train} in this process environment runs, if any. */
    static Optional<Framework> locate(Map<String, String> environment, ClassLoader loader) {
        return locate(Optional.ofNullable(environment.get(TRAINING_MODULE)), loader);
    }

    static Optional<Framework> locate(Optional<String> trainingModule, ClassLoader loader) {
        if (trainingModule.isPresent()) {
            String value = trainingModule.get();
            return value.contains(":") ? Optional.empty() : Optional.of(instantiate(value, loader));
        }
        List<Framework> found = new ArrayList<>();
        try {
            ServiceLoader.load(Framework.class, loader).forEach(found::add);
        } catch (java.util.ServiceConfigurationError e) {
            throw new LauncherException(Category.PLATFORM, 1, "A " + Framework.class.getName() + " registered in META-INF/services "
                    + "cannot be loaded: " + e.getMessage() + ". It needs a public no-argument constructor", e);
        }
        if (found.size() > 1) {
            throw new LauncherException(Category.PLATFORM, 1, "More than one " + Framework.class.getName() + " is registered in "
                    + "META-INF/services: " + found.stream().map(f -> f.getClass().getName()).toList()
                    + ". Keep one on the class path or name the one to use in SAGEMAKER_TRAINING_MODULE");
        }
        return found.stream().findFirst();
    }

    private static Framework instantiate(String className, ClassLoader loader) {
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new LauncherException(Category.PLATFORM, 1, "SAGEMAKER_TRAINING_MODULE names the class " + className
                    + ", which is not on the class path (" + e + "). Put the framework's jar into the toolkit's lib/ directory, "
                    + "or use module:function for a Python framework", e);
        }
        if (!Framework.class.isAssignableFrom(type)) {
            throw new LauncherException(Category.PLATFORM, 1, "SAGEMAKER_TRAINING_MODULE names " + className + ", which does not implement "
                    + Framework.class.getName());
        }
        try {
            return (Framework) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new LauncherException(Category.PLATFORM, 1, "Cannot create the framework " + className
                    + ": it needs a public no-argument constructor (" + e + ")", e);
        }
    }
}
