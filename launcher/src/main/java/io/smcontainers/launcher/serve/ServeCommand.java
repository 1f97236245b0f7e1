package io.smcontainers.launcher.serve;

import io.smcontainers.env.core.ServingEnv;
import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.ServingContext;
import io.smcontainers.gpu.probe.HardwareProbe;
import io.smcontainers.launcher.code.CodeFetcher;
import io.smcontainers.launcher.code.S3Sources;
import io.smcontainers.launcher.train.Interpreters;
import io.smcontainers.serving.netty.PythonBackend;
import io.smcontainers.serving.netty.PythonOptions;
import io.smcontainers.serving.netty.ServingServer;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code serve} and {@code local serve --model-dir DIR}: reads the serving environment, finds the model handler, starts
 * the Netty server, blocks until SIGTERM (or SIGINT), drains, and returns the exit code.
 *
 * <p>Handler discovery, first match wins: {@code SAGEMAKER_SERVING_MODULE} naming a {@link ModelHandler} or a
 * {@link Framework} class (public no-argument constructor); else exactly one {@code ModelHandler} service; else exactly
 * one {@code Framework} service whose {@link Framework#serving} is present. Classes are looked up on the class path and
 * in the jars of {@code <model dir>/code/}.
 *
 * <p>Exit codes: 0 after a graceful shutdown, 1 when the server cannot start (configuration, handler, bind, model load or
 * {@code SAGEMAKER_STARTUP_TIMEOUT}), 2 for a usage error.
 */
public final class ServeCommand {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);
    private static final String USAGE = "usage: serve [--model-dir DIR] [--port PORT]";

    private ServeCommand() {}

    /**
     * Runs the server until SIGTERM. Arguments: {@code --model-dir DIR} (default {@code <base>/model}, or
     * {@code <base>/models} on a multi-model endpoint) and {@code --port PORT} (overrides {@code SAGEMAKER_BIND_TO_PORT}).
     */
    public static int run(List<String> args, Map<String, String> env) {
        Optional<Path> modelDirArgument = Optional.empty();
        Map<String, String> variables = new HashMap<>(env);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if ((arg.equals("--model-dir") || arg.equals("--port")) && i + 1 < args.size()) {
                String value = args.get(++i);
                if (arg.equals("--model-dir")) {
                    modelDirArgument = Optional.of(Path.of(value).toAbsolutePath());
                } else {
                    variables.put("SAGEMAKER_BIND_TO_PORT", value);
                }
            } else {
                System.err.println("serve: unexpected argument '" + arg + "'\n" + USAGE);
                return 2;
            }
        }
        ServingEnv servingEnv;
        try {
            servingEnv = ServingEnv.fromEnvironment(variables, Runtime.getRuntime().availableProcessors());
        } catch (IllegalArgumentException e) {
            log.error("{}", e.getMessage());
            return 1;
        }
        Path modelDir = modelDirArgument.orElse(servingEnv.modelDir());
        if (modelDirArgument.isPresent() && !Files.isDirectory(modelDir)) {
            log.error("--model-dir {} is not a directory", modelDir);
            return 1;
        }
        if (servingEnv.invocationTimeout().toSeconds() > 60 && !variables.containsKey("SAGEMAKER_BATCH")) {
            log.warn("SAGEMAKER_MODEL_SERVER_TIMEOUT is {} s but real-time endpoints time out invocations after 60 s",
                    servingEnv.invocationTimeout().toSeconds());
        }
        String backendSetting = variables.getOrDefault("SMC_SERVING_BACKEND", "auto").strip().toLowerCase(java.util.Locale.ROOT);
        if (!List.of("auto", "java", "python").contains(backendSetting)) {
            log.error("SMC_SERVING_BACKEND must be auto, java or python, got '{}'", backendSetting);
            return 1;
        }
        ModelHandler<?> handler;
        Optional<PythonBackend> python = Optional.empty();
        try {
            JavaLookup lookup = backendSetting.equals("python") ? new JavaLookup(Optional.empty(), Optional.empty())
                    : findHandler(servingEnv, modelDir, backendSetting.equals("java"));
            if (lookup.handler().isPresent()) {
                handler = lookup.handler().get();
            } else {
                PythonCode code = PythonCode.locate(variables, servingEnv.baseDir(), modelDir,
                        new CodeFetcher(() -> S3Sources.sdk(env, variables)));
                Optional<String> servingModule = servingEnv.servingModule();
                if (backendSetting.equals("auto") && !code.resolvable(modelDir) && lookup.pythonDefaults().isEmpty() && !servingEnv.multiModel()) {
                    if (servingModule.isEmpty()) {
                        throw new IllegalStateException("set SAGEMAKER_SERVING_MODULE to a ModelHandler class, or register one in META-INF/services/"
                                + ModelHandler.class.getName() + " (class path and " + modelDir.resolve("code") + "/*.jar searched), "
                                + "or provide code/inference.py (SAGEMAKER_PROGRAM) for the Python backend");
                    }
                }
                if (servingModule.isPresent() && servingModule.get().contains(":")) {
                    log.warn("SAGEMAKER_SERVING_MODULE={} names a Python WSGI app; it is not used: the Python backend calls the handler functions "
                            + "of {} itself", servingModule.get(), code.module());
                }
                python = Optional.of(openPython(variables, servingEnv, modelDir, code, lookup.pythonDefaults()));
                servingEnv = withPythonWorkers(variables, servingEnv);
                handler = python.get().handler();
            }
        } catch (RuntimeException | ReflectiveOperationException | IOException e) {
            log.error("No model handler to serve: {}", e.getMessage(), e);
            return 1;
        }
        log.info("Serving {} from {}", python.isPresent() ? "the Python backend" : handler.getClass().getName(), modelDir);
        ServingServer server;
        try {
            server = ServingServer.start(servingEnv, handler, modelDir);
        } catch (RuntimeException e) {
            log.error("The server could not start: {}", e.getMessage(), e);
            python.ifPresent(PythonBackend::close);
            return 1;
        }
        try {
            return serveUntilStopped(server, servingEnv);
        } finally {
            python.ifPresent(PythonBackend::close);
        }
    }

    private static int serveUntilStopped(ServingServer server, ServingEnv servingEnv) {
        CountDownLatch stop = new CountDownLatch(1);
        AtomicInteger signals = new AtomicInteger();
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> {
                if (signals.incrementAndGet() > 1) {
                    log.warn("Second SIG{}: exiting without finishing the drain", signal.getName());
                    Runtime.getRuntime().halt(128 + signal.getNumber());
                }
                log.info("SIG{} received", signal.getName());
                stop.countDown();
            });
        }
        try {
            server.ready().get(servingEnv.startupTimeout().toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.error("The model did not load within SAGEMAKER_STARTUP_TIMEOUT={} s", servingEnv.startupTimeout().toSeconds());
            server.shutdown();
            return 1;
        } catch (ExecutionException e) {
            // the first line only: the loader has logged the whole error (a Python traceback) once already
            log.error("The model failed to load: {}", e.getCause().toString().lines().findFirst().orElse(""));
            server.shutdown();
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdown();
            return 1;
        }
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.shutdown();
        return 0;
    }

    /** What the Java side offers: a handler to serve, or a framework's Python defaults module for the Python backend. */
    private record JavaLookup(Optional<ModelHandler<?>> handler, Optional<URL> pythonDefaults) {}

    /**
     * The Java handler by today's rules; empty when none is configured (then the Python backend may serve). With
     * {@code required} (SMC_SERVING_BACKEND=java) a missing handler is an error.
     */
    private static JavaLookup findHandler(ServingEnv env, Path modelDir, boolean required) throws ReflectiveOperationException, IOException {
        ClassLoader loader = codeClassLoader(modelDir.resolve("code"));
        ServingContext context = ServingServer.context(env, modelDir);
        if (env.servingModule().isPresent() && !env.servingModule().get().contains(":")) {
            Class<?> type = Class.forName(env.servingModule().get(), true, loader);
            Object instance = type.getConstructor().newInstance();
            if (instance instanceof ModelHandler) {
                return new JavaLookup(Optional.of((ModelHandler<?>) instance), Optional.empty());
            }
            if (instance instanceof Framework framework) {
                Optional<ModelHandler<?>> served = framework.serving(context);
                if (served.isPresent() || required || framework.pythonDefaults().isEmpty()) {
                    return new JavaLookup(Optional.of(served.orElseThrow(() -> new IllegalStateException(
                            "framework " + type.getName() + " (SAGEMAKER_SERVING_MODULE) does not serve models"))), Optional.empty());
                }
                return new JavaLookup(Optional.empty(), Optional.of(defaultsResource(framework)));
            }
            throw new IllegalStateException("SAGEMAKER_SERVING_MODULE=" + type.getName() + " is neither a ModelHandler nor a Framework");
        }
        List<ModelHandler<?>> handlers = new ArrayList<>();
        for (ModelHandler<?> handler : ServiceLoader.load(ModelHandler.class, loader)) {
            handlers.add(handler);
        }
        if (handlers.size() == 1) {
            return new JavaLookup(Optional.of(handlers.get(0)), Optional.empty());
        }
        if (handlers.size() > 1) {
            throw new IllegalStateException("several ModelHandler services found (" + handlers.stream().map(h -> h.getClass().getName()).toList()
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
            return new JavaLookup(Optional.of(served.get(0)), Optional.empty());
        }
        if (served.size() > 1) {
            throw new IllegalStateException("several frameworks serve models; name one with SAGEMAKER_SERVING_MODULE");
        }
        if (required) {
            throw new IllegalStateException("SMC_SERVING_BACKEND=java but no Java handler is configured: set SAGEMAKER_SERVING_MODULE to a "
                    + "ModelHandler class, or register one in META-INF/services/" + ModelHandler.class.getName());
        }
        if (withPythonDefaults.size() > 1) {
            throw new IllegalStateException("several frameworks ship Python serving defaults (" + withPythonDefaults.stream()
                    .map(Framework::name).toList() + "); name one with SAGEMAKER_SERVING_MODULE");
        }
        return new JavaLookup(Optional.empty(), withPythonDefaults.isEmpty() ? Optional.empty() : Optional.of(defaultsResource(withPythonDefaults.get(0))));
    }

    private static URL defaultsResource(Framework framework) {
        String name = framework.pythonDefaults().orElseThrow();
        URL url = framework.getClass().getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalStateException("framework " + framework.name() + " names the Python defaults module " + name
                    + " (pythonDefaults), which is not on its class path");
        }
        return url;
    }

    /** The Python backend: interpreter, code, framework defaults, requirements installed before the first worker. */
    private static PythonBackend openPython(Map<String, String> variables, ServingEnv servingEnv, Path modelDir, PythonCode code,
            Optional<URL> defaults) throws IOException {
        String interpreter = Interpreters.python(variables);
        HardwareProbe probe = HardwareProbe.fromEnvironment(variables);
        int gpus = probe.gpuCount();
        int cpus = probe.cpuCount();
        boolean install = !variables.getOrDefault("SMC_PY_INSTALL_REQUIREMENTS", "true").strip().equalsIgnoreCase("false")
                && !servingEnv.multiModel() && code.codeDir().isPresent();
        PythonOptions options = new PythonOptions(interpreter, servingEnv.multiModel() ? Optional.empty() : code.codeDir(), code.module(),
                code.explicit(), code.extraPath(), defaults, gpus, cpus, variables, () -> {
                    if (install) {
                        Requirements.install(interpreter, code.codeDir().get(), variables, System.out);
                    }
                });
        log.info("Python backend: {} with module {} from {}{}", interpreter, code.module(), code.codeDir().map(Path::toString).orElse("(no code dir)"),
                defaults.map(url -> ", framework defaults " + url).orElse(""));
        return PythonBackend.open(options, withPythonWorkers(variables, servingEnv));
    }

    /** W for Python workers when SAGEMAKER_MODEL_SERVER_WORKERS is unset: the GPU count, else the instance's CPUs (spec 3.3). */
    private static ServingEnv withPythonWorkers(Map<String, String> variables, ServingEnv servingEnv) {
        if (variables.containsKey("SAGEMAKER_MODEL_SERVER_WORKERS")) {
            return servingEnv;
        }
        HardwareProbe probe = HardwareProbe.fromEnvironment(variables);
        int workers = probe.gpuCount() > 0 ? probe.gpuCount() : Math.max(1, probe.cpuCount());
        Map<String, String> copy = new HashMap<>(variables);
        copy.put("SAGEMAKER_MODEL_SERVER_WORKERS", Integer.toString(workers));
        ServingEnv fresh = ServingEnv.fromEnvironment(copy, Runtime.getRuntime().availableProcessors());
        return new ServingEnv(servingEnv.baseDir(), servingEnv.bindAddress(), servingEnv.port(), servingEnv.safePortRange(), fresh.workers(),
                servingEnv.invocationTimeout(), servingEnv.defaultAccept(), servingEnv.useNginx(), servingEnv.maxPayloadInMb(),
                servingEnv.multiModel(), servingEnv.program(), servingEnv.submitDirectory(), servingEnv.servingModule(), servingEnv.logLevel(),
                servingEnv.startupTimeout(), servingEnv.currentHost(), servingEnv.jobQueueSize(), servingEnv.keepAlive(), servingEnv.nettyThreads(),
                servingEnv.shutdownGrace(), servingEnv.useNativeIo(), servingEnv.errorStackTraces(), servingEnv.environment());
    }

    private static ClassLoader codeClassLoader(Path codeDir) throws IOException {
        ClassLoader parent = ServeCommand.class.getClassLoader();
        if (!Files.isDirectory(codeDir)) {
            return parent;
        }
        List<URL> urls = new ArrayList<>();
        urls.add(toUrl(codeDir));
        try (Stream<Path> files = Files.list(codeDir)) {
            for (Path jar : files.filter(path -> path.toString().endsWith(".jar")).sorted().toList()) {
                urls.add(toUrl(jar));
            }
        }
        return new URLClassLoader(urls.toArray(new URL[0]), parent);
    }

    private static URL toUrl(Path path) throws MalformedURLException {
        return path.toUri().toURL();
    }
}
