package io.smcontainers.env.core;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The serving settings, read once from the environment by {@link #fromEnvironment}: the {@code SAGEMAKER_*} variables
 * of the serving contract (section 2.6) and the runtime's own {@code SMC_*} knobs.
 *
 * @param baseDir {@code SAGEMAKER_BASE_DIR}, default {@code /opt/ml}
 * @param port {@code SAGEMAKER_BIND_TO_PORT}, default 8080
 * @param safePortRange {@code SAGEMAKER_SAFE_PORT_RANGE} ({@code first-last}) for auxiliary listeners
 * @param workers {@code SAGEMAKER_MODEL_SERVER_WORKERS}, default the CPU count, at least 1
 * @param invocationTimeout {@code SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS}, else {@code SAGEMAKER_MODEL_SERVER_TIMEOUT} seconds, default 60
 * @param defaultAccept {@code SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT}, default {@code application/json}
 * @param useNginx {@code SAGEMAKER_USE_NGINX} (Python strtobool), parsed and otherwise ignored
 * @param maxPayloadInMb {@code SAGEMAKER_MAX_PAYLOAD_IN_MB}
 * @param multiModel {@code SAGEMAKER_MULTI_MODEL=true} (case-insensitive)
 * @param program {@code SAGEMAKER_PROGRAM}
 * @param submitDirectory {@code SAGEMAKER_SUBMIT_DIRECTORY}, default {@code /opt/ml/code}
 * @param servingModule {@code SAGEMAKER_SERVING_MODULE}: the handler or framework class name
 * @param logLevel {@code SAGEMAKER_CONTAINER_LOG_LEVEL} (Python level), default 20
 * @param startupTimeout {@code SAGEMAKER_STARTUP_TIMEOUT} seconds, default 600: the bound on start-up model loading
 * @param currentHost {@code CURRENT_HOST}
 * @param jobQueueSize {@code SMC_JOB_QUEUE_SIZE}, default 100: invocations waiting for a worker before 503
 * @param keepAlive {@code SMC_KEEP_ALIVE_SECONDS}, default 60: idle connection timeout
 * @param headerReadTimeout {@code SMC_HEADER_READ_TIMEOUT_SECONDS}, default 60: time allowed for a request line and headers
 * @param bodyMinRate {@code SMC_BODY_MIN_RATE_BYTES}, default 500: the average rate in bytes per second a request body must
 *     keep after its first {@code headerReadTimeout} (0: bodies are bounded only by the keep-alive timeout between reads)
 * @param nettyThreads {@code SMC_NETTY_THREADS}, default the CPU count: I/O event loops
 * @param shutdownGrace {@code SMC_SHUTDOWN_GRACE_SECONDS}, default 25: drain bound after SIGTERM
 * @param useNativeIo {@code SMC_USE_NATIVE_IO}, default true: epoll where available
 * @param errorStackTraces {@code SMC_ERROR_STACK_TRACES}, default true: stack traces in error bodies
 * @param environment every variable, sorted by name, for handlers (and {@link #metricsPort()})
 */
public record ServingEnv(
        Path baseDir,
        String bindAddress,
        int port,
        Optional<PortRange> safePortRange,
        int workers,
        Duration invocationTimeout,
        String defaultAccept,
        boolean useNginx,
        Optional<Integer> maxPayloadInMb,
        boolean multiModel,
        Optional<String> program,
        String submitDirectory,
        Optional<String> servingModule,
        int logLevel,
        Duration startupTimeout,
        Optional<String> currentHost,
        int jobQueueSize,
        Duration keepAlive,
        Duration headerReadTimeout,
        int bodyMinRate,
        int nettyThreads,
        Duration shutdownGrace,
        boolean useNativeIo,
        boolean errorStackTraces,
        Map<String, String> environment) {

    /** The body limit when {@code SAGEMAKER_MAX_PAYLOAD_IN_MB} is unset: 100 MiB. */
    public static final long DEFAULT_MAX_PAYLOAD_BYTES = 100L * 1024 * 1024;

    /** Every variable {@link #fromEnvironment} reads, in record order. */
    public static final List<String> VARIABLES = List.of(
            "SAGEMAKER_BASE_DIR",
            "SAGEMAKER_BIND_TO_PORT",
            "SAGEMAKER_SAFE_PORT_RANGE",
            "SAGEMAKER_MODEL_SERVER_WORKERS",
            "SAGEMAKER_MODEL_SERVER_TIMEOUT",
            "SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS",
            "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT",
            "SAGEMAKER_USE_NGINX",
            "SAGEMAKER_MAX_PAYLOAD_IN_MB",
            "SAGEMAKER_MULTI_MODEL",
            "SAGEMAKER_PROGRAM",
            "SAGEMAKER_SUBMIT_DIRECTORY",
            "SAGEMAKER_SERVING_MODULE",
            "SAGEMAKER_CONTAINER_LOG_LEVEL",
            "SAGEMAKER_STARTUP_TIMEOUT",
            "CURRENT_HOST",
            "SMC_BIND_ADDRESS",
            "SMC_JOB_QUEUE_SIZE",
            "SMC_KEEP_ALIVE_SECONDS",
            "SMC_HEADER_READ_TIMEOUT_SECONDS",
            "SMC_BODY_MIN_RATE_BYTES",
            "SMC_NETTY_THREADS",
            "SMC_SHUTDOWN_GRACE_SECONDS",
            "SMC_USE_NATIVE_IO",
            "SMC_ERROR_STACK_TRACES",
            "SMC_METRICS_PORT");

    /** The variable naming the port of the Prometheus {@code /metrics} listener ({@link #metricsPort(Map)}). */
    public static final String METRICS_PORT = "SMC_METRICS_PORT";

    public ServingEnv {
        requireNonNull(baseDir, "baseDir is null");
        requireNonNull(safePortRange, "safePortRange is null");
        requireNonNull(invocationTimeout, "invocationTimeout is null");
        requireNonNull(defaultAccept, "defaultAccept is null");
        requireNonNull(maxPayloadInMb, "maxPayloadInMb is null");
        requireNonNull(program, "program is null");
        requireNonNull(submitDirectory, "submitDirectory is null");
        requireNonNull(servingModule, "servingModule is null");
        requireNonNull(startupTimeout, "startupTimeout is null");
        requireNonNull(currentHost, "currentHost is null");
        requireNonNull(keepAlive, "keepAlive is null");
        requireNonNull(headerReadTimeout, "headerReadTimeout is null");
        requireNonNull(shutdownGrace, "shutdownGrace is null");
        environment = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(environment, "environment is null")));
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        }
        if (bodyMinRate < 0) {
            throw new IllegalArgumentException("bodyMinRate must be >= 0, got " + bodyMinRate);
        }
        if (workers < 1 || jobQueueSize < 1 || nettyThreads < 1) {
            throw new IllegalArgumentException("workers, jobQueueSize and nettyThreads must be >= 1");
        }
    }

    /**
     * Reads the settings. Every invalid value is reported in one exception that names each variable, its value
     * and the expected form.
     *
     * @param env the process environment
     * @param cpuCount the instance's CPU count (default workers and event loops)
     * @throws IllegalArgumentException listing every invalid variable
     */
    public static ServingEnv fromEnvironment(Map<String, String> env, int cpuCount) {
        requireNonNull(env, "env is null");
        Reader reader = new Reader(env);
        int cpus = Math.max(1, cpuCount);
        Path baseDir = Path.of(reader.string("SAGEMAKER_BASE_DIR").orElse("/opt/ml"));
        int port = reader.integer("SAGEMAKER_BIND_TO_PORT", 8080, 1, 65535);
        Optional<PortRange> range = reader.string("SAGEMAKER_SAFE_PORT_RANGE").flatMap(value -> {
            try {
                return Optional.of(PortRange.parse(value));
            } catch (IllegalArgumentException e) {
                reader.problems.add(e.getMessage());
                return Optional.empty();
            }
        });
        int workers = reader.integer("SAGEMAKER_MODEL_SERVER_WORKERS", cpus, 1, 4096);
        int timeout = reader.integer("SAGEMAKER_MODEL_SERVER_TIMEOUT", 60, 1, Integer.MAX_VALUE);
        int timeoutSeconds = reader.integer("SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS", timeout, 1, Integer.MAX_VALUE);
        String accept = reader.string("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT").orElse("application/json");
        boolean nginx = reader.strtobool("SAGEMAKER_USE_NGINX", true);
        Optional<Integer> payload = reader.string("SAGEMAKER_MAX_PAYLOAD_IN_MB").isPresent()
                ? Optional.of(reader.integer("SAGEMAKER_MAX_PAYLOAD_IN_MB", 6, 1, 2047))
                : Optional.empty();
        boolean multiModel = reader.string("SAGEMAKER_MULTI_MODEL")
                .map(value -> value.equalsIgnoreCase("true"))
                .orElse(false);
        Optional<String> program = reader.string("SAGEMAKER_PROGRAM");
        String submit = reader.string("SAGEMAKER_SUBMIT_DIRECTORY")
                .orElse(baseDir.resolve("code").toString());
        Optional<String> module = reader.string("SAGEMAKER_SERVING_MODULE");
        int logLevel = reader.integer("SAGEMAKER_CONTAINER_LOG_LEVEL", 20, 0, 50);
        int startup = reader.integer("SAGEMAKER_STARTUP_TIMEOUT", 600, 1, Integer.MAX_VALUE);
        Optional<String> host = reader.string("CURRENT_HOST");
        // SageMaker needs every interface (0.0.0.0); local runs and tests bind 127.0.0.1 through this knob.
        String bindAddress = reader.string("SMC_BIND_ADDRESS").orElse("0.0.0.0");
        int queue = reader.integer("SMC_JOB_QUEUE_SIZE", 100, 1, 1_000_000);
        int keepAlive = reader.integer("SMC_KEEP_ALIVE_SECONDS", 60, 1, Integer.MAX_VALUE);
        int headerRead = reader.integer("SMC_HEADER_READ_TIMEOUT_SECONDS", 60, 1, Integer.MAX_VALUE);
        int bodyMinRate = reader.integer("SMC_BODY_MIN_RATE_BYTES", 500, 0, Integer.MAX_VALUE);
        int threads = reader.integer("SMC_NETTY_THREADS", cpus, 1, 1024);
        int grace = reader.integer("SMC_SHUTDOWN_GRACE_SECONDS", 25, 0, 3600);
        boolean nativeIo = reader.strtobool("SMC_USE_NATIVE_IO", true);
        boolean traces = reader.strtobool("SMC_ERROR_STACK_TRACES", true);
        try {
            metricsPort(env);
        } catch (IllegalArgumentException e) {
            reader.problems.add(e.getMessage());
        }
        if (!reader.problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid serving environment (fix these variables):\n  - "
                    + String.join("\n  - ", reader.problems));
        }
        return new ServingEnv(
                baseDir,
                bindAddress,
                port,
                range,
                workers,
                Duration.ofSeconds(timeoutSeconds),
                accept,
                nginx,
                payload,
                multiModel,
                program,
                submit,
                module,
                logLevel,
                Duration.ofSeconds(startup),
                host,
                queue,
                Duration.ofSeconds(keepAlive),
                Duration.ofSeconds(headerRead),
                bodyMinRate,
                threads,
                Duration.ofSeconds(grace),
                nativeIo,
                traces,
                env);
    }

    /**
     * These settings with {@code workers} workers (the Python backend's own default W, python-workers spec 3.3), every
     * other component unchanged.
     *
     * @throws IllegalArgumentException when {@code workers} is below 1
     */
    public ServingEnv withWorkers(int workers) {
        return new ServingEnv(
                baseDir,
                bindAddress,
                port,
                safePortRange,
                workers,
                invocationTimeout,
                defaultAccept,
                useNginx,
                maxPayloadInMb,
                multiModel,
                program,
                submitDirectory,
                servingModule,
                logLevel,
                startupTimeout,
                currentHost,
                jobQueueSize,
                keepAlive,
                headerReadTimeout,
                bodyMinRate,
                nettyThreads,
                shutdownGrace,
                useNativeIo,
                errorStackTraces,
                environment);
    }

    /** {@code SMC_METRICS_PORT} of {@link #environment()}: see {@link #metricsPort(Map)}. */
    public Optional<Integer> metricsPort() {
        return metricsPort(environment);
    }

    /**
     * {@code SMC_METRICS_PORT}: the port of the Prometheus {@code /metrics} listener, which {@code serve} and
     * {@code train} open only when it is set (SageMaker routes only 8080 to a container; the listener is for a sidecar
     * or a node agent). Empty when unset or blank; 0 picks a free port (tests).
     *
     * @throws IllegalArgumentException naming the variable and its value when it is not an integer in 0..65535
     */
    public static Optional<Integer> metricsPort(Map<String, String> env) {
        String value = env.get(METRICS_PORT);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port >= 0 && port <= 65535) {
                return Optional.of(port);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(
                METRICS_PORT + "='" + value + "': expected an integer in 0..65535 (unset: no metrics listener)");
    }

    /** {@code <base>/model}, or {@code <base>/models} on a multi-model endpoint. */
    public Path modelDir() {
        return baseDir.resolve(multiModel ? "models" : "model");
    }

    /** {@code <base>/code}. */
    public Path codeDir() {
        return baseDir.resolve("code");
    }

    /** The body limit in bytes: {@code SAGEMAKER_MAX_PAYLOAD_IN_MB} MiB, else {@link #DEFAULT_MAX_PAYLOAD_BYTES}. */
    public long maxPayloadBytes() {
        return maxPayloadInMb.map(mb -> mb * 1024L * 1024L).orElse(DEFAULT_MAX_PAYLOAD_BYTES);
    }

    /** {@code SAGEMAKER_PROGRAM} with a trailing {@code .py} removed, as the reference's {@code module_name}. */
    public Optional<String> moduleName() {
        return program.map(value -> value.endsWith(".py") ? value.substring(0, value.length() - 3) : value);
    }

    /** The SLF4J level name for {@link #logLevel()}: 10 DEBUG, 20 INFO, 30 WARN, 40 and 50 ERROR. */
    public String logLevelName() {
        if (logLevel <= 10) {
            return "DEBUG";
        }
        if (logLevel <= 20) {
            return "INFO";
        }
        if (logLevel <= 30) {
            return "WARN";
        }
        return "ERROR";
    }

    /** One line for the start-up log: every effective setting (no variable values beyond these). */
    public String summary() {
        return "port=" + port + ", workers=" + workers + ", timeout=" + invocationTimeout.toSeconds() + "s"
                + ", maxPayloadBytes=" + maxPayloadBytes() + ", defaultAccept=" + defaultAccept
                + ", multiModel=" + multiModel + ", jobQueueSize=" + jobQueueSize + ", keepAlive="
                + keepAlive.toSeconds() + "s"
                + ", headerReadTimeout=" + headerReadTimeout.toSeconds() + "s"
                + ", bodyMinRate=" + bodyMinRate + "B/s"
                + ", nettyThreads=" + nettyThreads + ", shutdownGrace=" + shutdownGrace.toSeconds() + "s"
                + ", modelDir=" + modelDir()
                + safePortRange.map(r -> ", safePortRange=" + r).orElse("");
    }

    /** The settings without the environment map (it may hold credentials). */
    @Override
    public String toString() {
        return "ServingEnv[" + summary() + "]";
    }

    /**
     * An inclusive port range {@code first-last} for auxiliary listeners.
     *
     * @param first the first port
     * @param last the last port
     */
    public record PortRange(int first, int last) {
        public PortRange {
            if (first < 1 || last > 65535 || first > last) {
                throw new IllegalArgumentException(
                        "port range must satisfy 1 <= first <= last <= 65535, got " + first + "-" + last);
            }
        }

        /** Parses {@code "1111-2222"}. */
        public static PortRange parse(String value) {
            requireNonNull(value, "value is null");
            String[] parts = value.trim().split("-", -1);
            if (parts.length == 2) {
                try {
                    return new PortRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            throw new IllegalArgumentException(
                    "SAGEMAKER_SAFE_PORT_RANGE='" + value + "': expected '<first>-<last>', e.g. '1111-2222'");
        }

        /** The reference's next safe port: the first port without a previous one, else previous + 1 inside the range. */
        public int nextPort(Optional<Integer> previous) {
            requireNonNull(previous, "previous is null");
            if (previous.isEmpty()) {
                return first;
            }
            int next = previous.get() + 1;
            if (next < first || next > last) {
                throw new IllegalArgumentException(
                        next + " is outside of the acceptable port range for SageMaker: " + this);
            }
            return next;
        }

        @Override
        public String toString() {
            return first + "-" + last;
        }
    }

    private static final class Reader {
        private final Map<String, String> env;
        private final List<String> problems = new ArrayList<>();

        Reader(Map<String, String> env) {
            this.env = env;
        }

        Optional<String> string(String name) {
            String value = env.get(name);
            return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
        }

        int integer(String name, int fallback, int min, int max) {
            Optional<String> value = string(name);
            if (value.isEmpty()) {
                return fallback;
            }
            try {
                int parsed = Integer.parseInt(value.get().trim());
                if (parsed >= min && parsed <= max) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problems.add(name + "='" + value.get() + "': expected an integer in " + min + ".." + max);
            return fallback;
        }

        boolean strtobool(String name, boolean fallback) {
            Optional<String> value = string(name);
            if (value.isEmpty()) {
                return fallback;
            }
            switch (value.get().toLowerCase(Locale.ROOT)) {
                case "y":
                case "yes":
                case "t":
                case "true":
                case "on":
                case "1":
                    return true;
                case "n":
                case "no":
                case "f":
                case "false":
                case "off":
                case "0":
                    return false;
                default:
                    problems.add(name + "='" + value.get() + "': expected a boolean (true/false, yes/no, on/off, 1/0)");
                    return fallback;
            }
        }
    }
}
