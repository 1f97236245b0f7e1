package io.smcontainers.launcher;

import com.google.inject.Injector;
import io.smcontainers.env.core.ServingEnv;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.launcher.process.StopSignal;
import io.smcontainers.launcher.python.PythonServing;
import io.smcontainers.serving.netty.PythonBackend;
import io.smcontainers.serving.netty.ServerStarter;
import io.smcontainers.serving.netty.ServingServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve} and {@code local serve --model-dir DIR}: reads the serving environment, finds the model handler, starts
 * the Netty server, blocks until SIGTERM (or SIGINT), drains, and returns the exit code.
 *
 * <p>The handler is found by {@link FrameworkLocator#serving}; without one, {@link PythonServing} serves the user's Python
 * {@code inference.py} (python-workers spec). Signals: {@link StopSignal} (a second one cuts the drain
 * short).
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
        ServingServer.prepareInBackground(); // on the other core, next to the injector and the handler search
        Injector injector;
        ServingEnv servingEnv;
        try {
            injector = Bootstrap.serve(variables);
            servingEnv = injector.getInstance(ServingEnv.class);
        } catch (RuntimeException e) {
            RuntimeException cause = Bootstrap.cause(e);
            if (cause instanceof IllegalArgumentException) {
                log.error("{}", cause.getMessage());
                return 1;
            }
            throw e;
        }
        Path modelDir = modelDirArgument.orElse(servingEnv.modelDir());
        if (modelDirArgument.isPresent() && !Files.isDirectory(modelDir)) {
            log.error("--model-dir {} is not a directory", modelDir);
            return 1;
        }
        if (servingEnv.invocationTimeout().toSeconds() > 60 && !variables.containsKey("SAGEMAKER_BATCH")) {
            log.warn(
                    "SAGEMAKER_MODEL_SERVER_TIMEOUT is {} s but real-time endpoints time out invocations after 60 s",
                    servingEnv.invocationTimeout().toSeconds());
        }
        String backend =
                variables.getOrDefault("SMC_SERVING_BACKEND", "auto").strip().toLowerCase(Locale.ROOT);
        if (!List.of("auto", "java", "python").contains(backend)) {
            log.error("SMC_SERVING_BACKEND must be auto, java or python, got '{}'", backend);
            return 1;
        }
        // from here on SIGTERM is a stop request: it ends a fetch of the user code, a model load, then the drain
        StopSignal stop = new StopSignal(Duration.ZERO);
        stop.installHaltingOnRepeat();
        ModelHandler<?> handler;
        Optional<PythonBackend> python = Optional.empty();
        try {
            FrameworkLocator.Serving found = backend.equals("python")
                    ? FrameworkLocator.Serving.NONE
                    : FrameworkLocator.serving(
                            servingEnv, modelDir, ServingServer.context(servingEnv, modelDir), backend.equals("java"));
            if (found.handler().isPresent()) {
                handler = found.handler().get();
            } else {
                python = PythonServing.open(
                        variables, servingEnv, modelDir, found.pythonDefaults(), backend.equals("python"), stop);
                if (python.isEmpty()) {
                    throw new IllegalStateException(FrameworkLocator.noHandler(modelDir)
                            + ", or provide code/inference.py (SAGEMAKER_PROGRAM) for the Python backend");
                }
                servingEnv = PythonServing.withWorkers(variables, servingEnv);
                handler = python.get().handler();
            }
        } catch (StopSignal.StoppedException e) {
            log.info("Stopping: {} while {}; nothing was served", e.signalName(), e.during());
            return 0;
        } catch (RuntimeException | ReflectiveOperationException | java.io.IOException e) {
            log.error("No model handler to serve: {}", e.getMessage(), e);
            return 1;
        }
        log.info(
                "Serving {} from {}",
                python.isPresent() ? "the Python backend" : handler.getClass().getName(),
                modelDir);
        ServingServer server;
        try {
            server = injector.getInstance(ServerStarter.class).start(servingEnv, handler, modelDir);
        } catch (RuntimeException e) {
            log.error("The server could not start: {}", e.getMessage(), e);
            python.ifPresent(PythonBackend::close);
            return 1;
        }
        try {
            return serveUntilStopped(server, servingEnv, stop);
        } finally {
            python.ifPresent(PythonBackend::close);
        }
    }

    private static int serveUntilStopped(ServingServer server, ServingEnv servingEnv, StopSignal stop) {
        try {
            // SIGTERM may come in any phase, the model load included: wait for whichever comes first
            CompletableFuture.anyOf(server.ready(), stop.whenRequested())
                    .get(servingEnv.startupTimeout().toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.error(
                    "The model did not load within SAGEMAKER_STARTUP_TIMEOUT={} s",
                    servingEnv.startupTimeout().toSeconds());
            server.shutdown();
            return 1;
        } catch (ExecutionException e) {
            if (!stop.requested()) {
                // the first line only: the loader has logged the whole error (a Python traceback) once already
                log.error(
                        "The model failed to load: {}",
                        e.getCause().toString().lines().findFirst().orElse(""));
                server.shutdown();
                return 1;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdown();
            return 1;
        }
        if (stop.requested() && !server.ready().isDone()) {
            log.info("Stopping while the model is still loading");
        }
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.shutdown();
        return 0;
    }
}
