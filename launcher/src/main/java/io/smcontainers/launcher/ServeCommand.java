package io.smcontainers.launcher;

import com.google.inject.Injector;
import io.smcontainers.env.core.ServingEnv;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.launcher.process.StopSignal;
import io.smcontainers.serving.netty.ServerStarter;
import io.smcontainers.serving.netty.ServingServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve} and {@code local serve --model-dir DIR}: reads the serving environment, finds the model handler, starts
 * the Netty server, blocks until SIGTERM (or SIGINT), drains, and returns the exit code.
 *
 * <p>The handler is found by {@link FrameworkLocator#handler}. Signals: {@link StopSignal} (a second one cuts the drain
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
            log.warn("SAGEMAKER_MODEL_SERVER_TIMEOUT is {} s but real-time endpoints time out invocations after 60 s",
                    servingEnv.invocationTimeout().toSeconds());
        }
        ModelHandler<?> handler;
        try {
            handler = FrameworkLocator.handler(servingEnv, modelDir, ServingServer.context(servingEnv, modelDir));
        } catch (RuntimeException | ReflectiveOperationException | java.io.IOException e) {
            log.error("No model handler to serve: {}", e.getMessage(), e);
            return 1;
        }
        log.info("Serving {} from {}", handler.getClass().getName(), modelDir);
        ServingServer server;
        try {
            server = injector.getInstance(ServerStarter.class).start(servingEnv, handler, modelDir);
        } catch (RuntimeException e) {
            log.error("The server could not start: {}", e.getMessage(), e);
            return 1;
        }
        StopSignal stop = new StopSignal(Duration.ZERO);
        stop.installHaltingOnRepeat();
        try {
            server.ready().get(servingEnv.startupTimeout().toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.error("The model did not load within SAGEMAKER_STARTUP_TIMEOUT={} s", servingEnv.startupTimeout().toSeconds());
            server.shutdown();
            return 1;
        } catch (ExecutionException e) {
            log.error("The model failed to load: {}", e.getCause().toString());
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
}
