package io.smcontainers.launcher;

import io.smcontainers.env.core.ServingEnv;
import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.ServingContext;
import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Discovery, in one place. For {@code train}, {@link #locate}: the class named by {@code SAGEMAKER_TRAINING_MODULE}
 * when the value is a class name (no {@code :}), else the single {@link Framework} provider registered with
 * {@link ServiceLoader}; empty means a Python framework module ({@code module:function}) or script mode. For
 * {@code serve}, {@link #handler}.
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

    /**
     * The model handler {@code serve} hosts, first match wins: {@code SAGEMAKER_SERVING_MODULE} naming a
     * {@link ModelHandler} or a {@link Framework} class (public no-argument constructor); else exactly one
     * {@code ModelHandler} service; else exactly one {@code Framework} service whose {@link Framework#serving} is present.
     * Classes are looked up on the class path and in the jars of {@code <model dir>/code/}.
     */
    static ModelHandler<?> handler(ServingEnv env, Path modelDir, ServingContext context) throws ReflectiveOperationException, IOException {
        ClassLoader loader = codeClassLoader(modelDir.resolve("code"));
        if (env.servingModule().isPresent()) {
            Class<?> type = Class.forName(env.servingModule().get(), true, loader);
            Object instance = type.getConstructor().newInstance();
            if (instance instanceof ModelHandler<?> handler) {
                return handler;
            }
            if (instance instanceof Framework framework) {
                return framework.serving(context).orElseThrow(() -> new IllegalStateException(
                        "framework " + type.getName() + " (SAGEMAKER_SERVING_MODULE) does not serve models"));
            }
            throw new IllegalStateException("SAGEMAKER_SERVING_MODULE=" + type.getName() + " is neither a ModelHandler nor a Framework");
        }
        List<ModelHandler<?>> handlers = new ArrayList<>();
        for (ModelHandler<?> handler : ServiceLoader.load(ModelHandler.class, loader)) {
            handlers.add(handler);
        }
        if (handlers.size() == 1) {
            return handlers.get(0);
        }
        if (handlers.size() > 1) {
            throw new IllegalStateException("several ModelHandler services found (" + handlers.stream().map(h -> h.getClass().getName()).toList()
                    + "); name one with SAGEMAKER_SERVING_MODULE");
        }
        List<ModelHandler<?>> served = new ArrayList<>();
        for (Framework framework : ServiceLoader.load(Framework.class, loader)) {
            framework.serving(context).ifPresent(served::add);
        }
        if (served.size() == 1) {
            return served.get(0);
        }
        throw new IllegalStateException(served.isEmpty()
                ? "set SAGEMAKER_SERVING_MODULE to a ModelHandler class, or register one in META-INF/services/"
                        + ModelHandler.class.getName() + " (class path and " + modelDir.resolve("code") + "/*.jar searched)"
                : "several frameworks serve models; name one with SAGEMAKER_SERVING_MODULE");
    }

    private static ClassLoader codeClassLoader(Path codeDir) throws IOException {
        ClassLoader parent = FrameworkLocator.class.getClassLoader();
        if (!Files.isDirectory(codeDir)) {
            return parent;
        }
        List<URL> urls = new ArrayList<>();
        urls.add(codeDir.toUri().toURL());
        try (Stream<Path> files = Files.list(codeDir)) {
            for (Path jar : files.filter(path -> path.toString().endsWith(".jar")).sorted().toList()) {
                urls.add(jar.toUri().toURL());
            }
        }
        return new URLClassLoader(urls.toArray(new URL[0]), parent);
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
