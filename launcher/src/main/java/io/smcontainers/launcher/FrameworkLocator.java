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
 * {@code serve}, {@link #serving}.
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
            throw new LauncherException(
                    Category.PLATFORM,
                    1,
                    "A " + Framework.class.getName() + " registered in META-INF/services " + "cannot be loaded: "
                            + e.getMessage() + ". It needs a public no-argument constructor",
                    e);
        }
        if (found.size() > 1) {
            throw new LauncherException(
                    Category.PLATFORM,
                    1,
                    "More than one " + Framework.class.getName() + " is registered in "
                            + "META-INF/services: "
                            + found.stream().map(f -> f.getClass().getName()).toList()
                            + ". Keep one on the class path or name the one to use in SAGEMAKER_TRAINING_MODULE");
        }
        return found.stream().findFirst();
    }

    /**
     * What the Java side offers {@code serve}: a handler, or (when there is none) a framework's Python defaults module for
     * the Python backend (python-workers spec 3.2).
     *
     * @param handler the Java handler to serve, if one is configured
     * @param pythonDefaults a {@link Framework#pythonDefaults} resource of a framework that does not serve in Java
     */
    record Serving(Optional<ModelHandler<?>> handler, Optional<URL> pythonDefaults) {
        static final Serving NONE = new Serving(Optional.empty(), Optional.empty());
    }

    /**
     * The model handler {@code serve} hosts, first match wins: {@code SAGEMAKER_SERVING_MODULE} naming a
     * {@link ModelHandler} or a {@link Framework} class (public no-argument constructor; a {@code module:app} value is a
     * Python WSGI app and is skipped); else exactly one {@code ModelHandler} service; else exactly one {@code Framework}
     * service whose {@link Framework#serving} is present. Classes are looked up on the class path and in the jars of
     * {@code <model dir>/code/}. Without a handler, the one framework that ships {@link Framework#pythonDefaults} is
     * reported for the Python backend; with {@code required} (SMC_SERVING_BACKEND=java) a missing handler is an error.
     */
    static Serving serving(ServingEnv env, Path modelDir, ServingContext context, boolean required)
            throws ReflectiveOperationException, IOException {
        ClassLoader loader = codeClassLoader(modelDir.resolve("code"));
        if (env.servingModule().isPresent() && !env.servingModule().get().contains(":")) {
            Class<?> type = Class.forName(env.servingModule().get(), true, loader);
            Object instance = type.getConstructor().newInstance();
            if (instance instanceof ModelHandler<?> handler) {
                return new Serving(Optional.of(handler), Optional.empty());
            }
            if (instance instanceof Framework framework) {
                Optional<ModelHandler<?>> served = framework.serving(context);
                if (served.isEmpty() && !required && framework.pythonDefaults().isPresent()) {
                    return new Serving(Optional.empty(), Optional.of(pythonDefaults(framework)));
                }
                return new Serving(
                        Optional.of(served.orElseThrow(() -> new IllegalStateException(
                                "framework " + type.getName() + " (SAGEMAKER_SERVING_MODULE) does not serve models"))),
                        Optional.empty());
            }
            throw new IllegalStateException(
                    "SAGEMAKER_SERVING_MODULE=" + type.getName() + " is neither a ModelHandler nor a Framework");
        }
        List<ModelHandler<?>> handlers = new ArrayList<>();
        for (ModelHandler<?> handler : ServiceLoader.load(ModelHandler.class, loader)) {
            handlers.add(handler);
        }
        if (handlers.size() == 1) {
            return new Serving(Optional.of(handlers.get(0)), Optional.empty());
        }
        if (handlers.size() > 1) {
            throw new IllegalStateException("several ModelHandler services found ("
                    + handlers.stream().map(h -> h.getClass().getName()).toList()
                    + "); name one with SAGEMAKER_SERVING_MODULE");
        }
        List<ModelHandler<?>> served = new ArrayList<>();
        List<Framework> withPythonDefaults = new ArrayList<>();
        for (Framework framework : ServiceLoader.load(Framework.class, loader)) {
            Optional<ModelHandler<?>> handler = framework.serving(context);
            handler.ifPresent(served::add);
            if (handler.isEmpty() && framework.pythonDefaults().isPresent()) {
                withPythonDefaults.add(framework);
            }
        }
        if (served.size() == 1) {
            return new Serving(Optional.of(served.get(0)), Optional.empty());
        }
        if (served.size() > 1) {
            throw new IllegalStateException("several frameworks serve models; name one with SAGEMAKER_SERVING_MODULE");
        }
        if (required) {
            throw new IllegalStateException("SMC_SERVING_BACKEND=java: " + noHandler(modelDir));
        }
        if (withPythonDefaults.size() > 1) {
            throw new IllegalStateException("several frameworks ship Python serving defaults ("
                    + withPythonDefaults.stream().map(Framework::name).toList()
                    + "); name one with SAGEMAKER_SERVING_MODULE");
        }
        return withPythonDefaults.isEmpty()
                ? Serving.NONE
                : new Serving(Optional.empty(), Optional.of(pythonDefaults(withPythonDefaults.get(0))));
    }

    /** How to provide a Java handler, naming where classes were looked for. */
    static String noHandler(Path modelDir) {
        return "set SAGEMAKER_SERVING_MODULE to a ModelHandler class, or register one in META-INF/services/"
                + ModelHandler.class.getName() + " (class path and " + modelDir.resolve("code") + "/*.jar searched)";
    }

    private static URL pythonDefaults(Framework framework) {
        String name = framework.pythonDefaults().orElseThrow();
        URL url = framework.getClass().getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalStateException("framework " + framework.name() + " names the Python defaults module "
                    + name + " (pythonDefaults), which is not on its class path");
        }
        return url;
    }

    private static ClassLoader codeClassLoader(Path codeDir) throws IOException {
        ClassLoader parent = FrameworkLocator.class.getClassLoader();
        if (!Files.isDirectory(codeDir)) {
            return parent;
        }
        List<URL> urls = new ArrayList<>();
        urls.add(codeDir.toUri().toURL());
        try (Stream<Path> files = Files.list(codeDir)) {
            for (Path jar : files.filter(path -> path.toString().endsWith(".jar"))
                    .sorted()
                    .toList()) {
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
            throw new LauncherException(
                    Category.PLATFORM,
                    1,
                    "SAGEMAKER_TRAINING_MODULE names the class " + className
                            + ", which is not on the class path (" + e
                            + "). Put the framework's jar into the toolkit's lib/ directory, "
                            + "or use module:function for a Python framework",
                    e);
        }
        if (!Framework.class.isAssignableFrom(type)) {
            throw new LauncherException(
                    Category.PLATFORM,
                    1,
                    "SAGEMAKER_TRAINING_MODULE names " + className + ", which does not implement "
                            + Framework.class.getName());
        }
        try {
            return (Framework) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new LauncherException(
                    Category.PLATFORM,
                    1,
                    "Cannot create the framework " + className + ": it needs a public no-argument constructor (" + e
                            + ")",
                    e);
        }
    }
}
