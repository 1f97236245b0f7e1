package io.smcontainers.launcher.serve;

import io.smcontainers.env.core.ServingEnv;
import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.ServingContext;
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
import java.util.concurrent.CompletableFuture;
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
        ModelHandler<?> handler;
        try {
            handler = findHandler(servingEnv, modelDir);
        } catch (RuntimeException | ReflectiveOperationException | IOException e) {
            log.error("No model handler to serve: {}", e.getMessage(), e);
            return 1;
        }
        log.info("Serving {} from {}", handler.getClass().getName(), modelDir);
        ServingServer server;
        try {
            server = ServingServer.start(servingEnv, handler, modelDir);
        } catch (RuntimeException e) {
            log.error("The server could not start: {}", e.getMessage(), e);
            return 1;
        }
        // SIGTERM may come in any phase, the model load included: wait for whichever comes first.
        CompletableFuture<Void> stop = new CompletableFuture<>();
        AtomicInteger signals = new AtomicInteger();
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> {
                if (signals.incrementAndGet() > 1) {
                    log.warn("Second SIG{}: exiting without finishing the drain", signal.getName());
                    Runtime.getRuntime().halt(128 + signal.getNumber());
                }
                log.info("SIG{} received", signal.getName());
                stop.complete(null);
            });
        }
        try {
            CompletableFuture.anyOf(server.ready(), stop).get(servingEnv.startupTimeout().toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.error("The model did not load within SAGEMAKER_STARTUP_TIMEOUT={} s", servingEnv.startupTimeout().toSeconds());
            server.shutdown();
            return 1;
        } catch (ExecutionException e) {
            if (!stop.isDone()) {
                log.error("The model failed to load: {}", e.getCause().toString());
                server.shutdown();
                return 1;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdown();
            return 1;
        }
        if (stop.isDone() && !server.ready().isDone()) {
            log.info("Stopping while the model is still loading");
        }
        stop.join();
        server.shutdown();
        return 0;
    }

    private static ModelHandler<?> findHandler(ServingEnv env, Path modelDir) throws ReflectiveOperationException, IOException {
        ClassLoader loader = codeClassLoader(modelDir.resolve("code"));
        ServingContext context = ServingServer.context(env, modelDir);
        if (env.servingModule().isPresent()) {
            Class<?> type = Class.forName(env.servingModule().get(), true, loader);
            Object instance = type.getConstructor().newInstance();
            if (instance instanceof ModelHandler) {
                return (ModelHandler<?>) instance;
            }
            if (instance instanceof Framework) {
                return ((Framework) instance).serving(context).orElseThrow(() -> new IllegalStateException(
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
