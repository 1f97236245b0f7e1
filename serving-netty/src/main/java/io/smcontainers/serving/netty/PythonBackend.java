package io.smcontainers.serving.netty;

import static java.util.Objects.requireNonNull;

import io.smcontainers.env.core.ServingEnv;
import io.smcontainers.env.core.process.ProcessSignals;
import io.smcontainers.framework.spi.ModelHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Python backend (python-workers spec 3): serves a user's {@code inference.py} through worker processes running
 * {@code smc_worker.py}. Owns the worker socket, the worker script and the settings; {@link #handler()} is the
 * {@link ModelHandler} the server runs, whose "model" is one worker process. Close it after the server has stopped.
 */
public final class PythonBackend implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PythonBackend.class);
    static final String SCRIPT_RESOURCE = "io/smcontainers/serving/netty/python/smc_worker.py";

    private final PythonOptions options;
    private final ServingEnv env;
    private final PythonWorkerListener listener;
    private final Path script;
    private final Optional<Path> defaultsFile;
    private final ScheduledExecutorService timer;
    private final Map<Path, BitSet> slots = new HashMap<>();
    private final Map<Path, CompletableFuture<Void>> modelsPrepared = new ConcurrentHashMap<>();
    private final long startupDeadline;
    private final Duration helloTimeout;
    private final Duration mmeLoadTimeout;
    private final long maxResponseBytes;
    private final int mmeWorkers;
    private final String codecs;
    private final boolean npyAllowPickle;
    private final String timeoutAction;
    private final long interruptGraceMillis;
    private final boolean pinGpu;
    private final int threadsPerWorker;
    private final long maxRssBytes;
    private final int loadConcurrency;
    private final long idlePingNanos;
    private final int backoffMaxSeconds;
    private final Duration mmeUnloadTimeout;
    private final int mmeMaxProcesses;
    private final long mmeReservedBytes;
    private final int maxRequests;
    private volatile boolean started;
    private boolean prepared;
    private Exception prepareFailure;

    private PythonBackend(PythonOptions options, ServingEnv env) throws IOException {
        this.options = requireNonNull(options, "options is null");
        this.env = requireNonNull(env, "env is null");
        Map<String, String> vars = options.environment();
        this.helloTimeout = Duration.ofSeconds(integer(vars, "SMC_PY_HELLO_TIMEOUT_SECONDS", 60, 1));
        this.mmeLoadTimeout = Duration.ofSeconds(integer(vars, "SMC_MME_LOAD_TIMEOUT_SECONDS", 360, 1));
        this.maxResponseBytes = (long) integer(vars, "SMC_PY_MAX_RESPONSE_MB", 256, 1) << 20;
        int perModel = integer(vars, "SMC_MME_WORKERS_PER_MODEL", 0, 0);
        this.mmeWorkers =
                perModel > 0 ? perModel : vars.containsKey("SAGEMAKER_MODEL_SERVER_WORKERS") ? env.workers() : 1;
        this.codecs = vars.getOrDefault("SMC_PY_CODECS", "sc").strip().toLowerCase(Locale.ROOT);
        if (!codecs.equals("sc") && !codecs.equals("sit")) {
            throw new IllegalArgumentException("SMC_PY_CODECS must be sc or sit, got '" + codecs + "'");
        }
        this.npyAllowPickle = bool(vars, "SMC_PY_NPY_ALLOW_PICKLE", false);
        this.timeoutAction =
                vars.getOrDefault("SMC_PY_TIMEOUT_ACTION", "kill").strip().toLowerCase(Locale.ROOT);
        if (!timeoutAction.equals("kill") && !timeoutAction.equals("interrupt")) {
            throw new IllegalArgumentException(
                    "SMC_PY_TIMEOUT_ACTION must be kill or interrupt, got '" + timeoutAction + "'");
        }
        this.interruptGraceMillis = 1000L * integer(vars, "SMC_PY_INTERRUPT_GRACE_SECONDS", 2, 0);
        this.pinGpu = bool(vars, "SMC_PY_PIN_GPU", false);
        this.maxRssBytes = (long) integer(vars, "SMC_PY_MAX_RSS_MB", 0, 0) << 20;
        this.loadConcurrency = integer(vars, "SMC_PY_LOAD_CONCURRENCY", 0, 0);
        this.idlePingNanos =
                java.util.concurrent.TimeUnit.SECONDS.toNanos(integer(vars, "SMC_PY_IDLE_PING_SECONDS", 30, 0));
        this.backoffMaxSeconds = integer(vars, "SMC_PY_RESTART_BACKOFF_MAX_SECONDS", 30, 0);
        this.mmeUnloadTimeout = Duration.ofSeconds(integer(vars, "SMC_MME_UNLOAD_TIMEOUT_SECONDS", 60, 1));
        this.mmeMaxProcesses = integer(vars, "SMC_MME_MAX_PROCESSES", 0, 0);
        this.mmeReservedBytes = (long) integer(vars, "SMC_MME_RESERVED_MEMORY_MB", 500, 0) << 20;
        this.maxRequests = integer(vars, "SMC_PY_MAX_REQUESTS", 0, 0);
        this.threadsPerWorker =
                integer(vars, "SMC_PY_THREADS_PER_WORKER", Math.max(1, options.cpus() / Math.max(1, env.workers())), 1);
        this.startupDeadline = System.nanoTime() + env.startupTimeout().toNanos();
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "smc-py-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        this.listener = PythonWorkerListener.open();
        try {
            this.script = findScript(listener.directory());
            this.defaultsFile = copyDefaults(listener.directory());
        } catch (IOException | RuntimeException e) {
            listener.close();
            timer.shutdownNow();
            throw e;
        }
    }

    /** Opens the worker socket and finds the worker script; nothing is spawned until the server loads the model. */
    public static PythonBackend open(PythonOptions options, ServingEnv env) throws IOException {
        return new PythonBackend(options, env);
    }

    /** The handler to pass to {@link ServingServer#start(ServingEnv, ModelHandler, Path)}. */
    public ModelHandler<?> handler() {
        return new PythonHandler(this);
    }

    /** Where a worker runs: model dir, code dir, name in logs. */
    record Target(Path modelDir, Optional<Path> codeDir, String modelName, boolean multiModel) {}

    Target target(Path modelDir) {
        Path dir = modelDir.toAbsolutePath().normalize();
        if (env.multiModel()) {
            Path code = dir.resolve("code");
            return new Target(
                    dir,
                    Files.isDirectory(code) ? Optional.of(code) : Optional.empty(),
                    dir.getFileName() == null ? "model" : dir.getFileName().toString(),
                    true);
        }
        return new Target(dir, options.codeDir(), "model", false);
    }

    PythonWorkerListener listener() {
        return listener;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    String python() {
        return options.python();
    }

    Duration helloTimeout() {
        return helloTimeout;
    }

    long maxResponseBytes() {
        return maxResponseBytes;
    }

    long maxRssBytes() {
        return maxRssBytes;
    }

    /** SMC_PY_MAX_REQUESTS with up to 10 % jitter (gunicorn's max_requests_jitter), so slots do not recycle together; 0 = off. */
    long maxRequests(int slot) {
        if (maxRequests <= 0) {
            return 0;
        }
        long jitter = Math.round(maxRequests
                * 0.1
                * (java.util.concurrent.ThreadLocalRandom.current().nextDouble() * 2 - 1));
        return Math.max(1, maxRequests + jitter);
    }

    /** Workers loading at once: SMC_PY_LOAD_CONCURRENCY, default all of them. */
    int loadConcurrency(int workers) {
        return loadConcurrency > 0 ? loadConcurrency : workers;
    }

    /** Idle time after which a worker is pinged (SMC_PY_IDLE_PING_SECONDS, 0 = never). */
    long idlePingNanos() {
        return idlePingNanos;
    }

    boolean interruptMode() {
        return timeoutAction.equals("interrupt");
    }

    long interruptGraceMillis() {
        return interruptGraceMillis;
    }

    int backoffMaxSeconds() {
        return backoffMaxSeconds;
    }

    Duration mmeUnloadTimeout() {
        return mmeUnloadTimeout;
    }

    /**
     * Why a multi-model load of {@code workers} workers from {@code modelDir} cannot start (507, so the platform evicts a
     * model), or empty: the process cap {@code SMC_MME_MAX_PROCESSES}, and MemAvailable minus 1.2 x the model's bytes under
     * {@code SMC_MME_RESERVED_MEMORY_MB} (DJL's rule).
     */
    synchronized Optional<String> mmeRefusal(Path modelDir, int workers) {
        int running = 0;
        for (BitSet used : slots.values()) {
            running += used.cardinality();
        }
        if (mmeMaxProcesses > 0 && running + workers > mmeMaxProcesses) {
            return Optional.of(running + " Python workers run and " + workers
                    + " more would pass SMC_MME_MAX_PROCESSES=" + mmeMaxProcesses);
        }
        long available = PythonProcesses.memAvailableBytes();
        if (available > 0) {
            long size = PythonProcesses.treeBytes(modelDir);
            long left = available - (long) (1.2 * size);
            if (left < mmeReservedBytes) {
                return Optional.of("MemAvailable " + (available >> 20) + " MB minus 1.2 x the model's " + (size >> 20)
                        + " MB leaves less than " + "SMC_MME_RESERVED_MEMORY_MB=" + (mmeReservedBytes >> 20));
            }
        }
        return Optional.empty();
    }

    int mmeWorkers() {
        return mmeWorkers;
    }

    /** How long a load may take: what is left of SAGEMAKER_STARTUP_TIMEOUT at start-up, all of it for a respawn, the MME bound for a multi-model load. */
    long loadTimeoutNanos(Target target) {
        if (target.multiModel()) {
            return mmeLoadTimeout.toNanos();
        }
        return started ? env.startupTimeout().toNanos() : Math.max(1, startupDeadline - System.nanoTime());
    }

    /** Runs the launcher's preparation (requirements) once, before the first worker is spawned. */
    synchronized void prepareOnce() throws Exception {
        if (prepareFailure != null) {
            throw prepareFailure;
        }
        if (!prepared) {
            try {
                options.prepare().run();
                prepared = true;
            } catch (Exception e) {
                prepareFailure = e;
                throw e;
            }
        }
    }

    /**
     * Runs the launcher's per-model step ({@link PythonOptions#prepareModel}) for a multi-model load, once per load: the
     * first of the model's W loads runs it, the others wait for it. A failure is every waiting load's, and the next load of
     * the model tries again.
     */
    void prepareModel(Target target) throws Exception {
        if (!target.multiModel()) {
            return;
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> prepared = modelsPrepared.putIfAbsent(target.modelDir(), mine);
        if (prepared == null) {
            try {
                options.prepareModel().run(target.modelDir().resolve("code"));
                mine.complete(null);
            } catch (Exception | Error e) {
                modelsPrepared.remove(target.modelDir(), mine);
                mine.completeExceptionally(e);
                throw e;
            }
            return;
        }
        try {
            prepared.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    void markStarted() {
        started = true;
    }

    synchronized int claimSlot(Path modelDir) {
        BitSet used = slots.computeIfAbsent(modelDir, dir -> new BitSet());
        int slot = used.nextClearBit(0);
        used.set(slot);
        return slot;
    }

    synchronized void releaseSlot(Path modelDir, int slot) {
        BitSet used = slots.get(modelDir);
        if (used != null) {
            used.clear(slot);
            if (used.isEmpty()) {
                slots.remove(modelDir);
                modelsPrepared.remove(modelDir); // unloaded: a later load prepares it again
            }
        }
    }

    /** Starts one worker process: {@code [setsid] python smc_worker.py}, cwd = model dir, stdin /dev/null, env per spec 3.3. */
    Process spawn(Target target, int slot, String id, String token) throws IOException {
        List<String> argv = new ArrayList<>();
        ProcessSignals.setsid().ifPresent(argv::add);
        argv.add(options.python());
        argv.add(script.toString());
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(target.modelDir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> environment = builder.environment();
        environment.putAll(options.environment());
        environment.put("PYTHONUNBUFFERED", "1");
        environment.put("PYTHONFAULTHANDLER", "1");
        String inherited = environment.getOrDefault("PYTHONPATH", "");
        if (target.codeDir().isPresent()) {
            environment.put("PYTHONPATH", target.codeDir().get() + (inherited.isEmpty() ? "" : ":" + inherited));
        }
        environment.put("SMC_WORKER_SOCKET", listener.socket().toString());
        environment.put("SMC_WORKER_TOKEN", token);
        environment.put("SMC_WORKER_ID", id);
        if (!environment.containsKey("OMP_NUM_THREADS")
                && !environment.containsKey("MKL_NUM_THREADS")
                && !environment.containsKey("OPENBLAS_NUM_THREADS")) {
            environment.put("OMP_NUM_THREADS", Integer.toString(threadsPerWorker));
        }
        if (pinGpu && options.gpus() > 0) {
            environment.put("CUDA_VISIBLE_DEVICES", Integer.toString(slot % options.gpus()));
        }
        return builder.start();
    }

    /** The LOAD frame's JSON (PYTHON-WORKER-NOTES.md). */
    Map<String, Object> loadMessage(Target target, int slot) {
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("model_dir", target.modelDir().toString());
        load.put("code_dir", target.codeDir().map(Path::toString).orElse(null));
        load.put("module", options.module());
        load.put("module_explicit", options.moduleExplicit());
        List<Object> extra = new ArrayList<>();
        for (Path path : options.extraPath()) {
            extra.add(path.toString());
        }
        if (target.multiModel() && Files.isDirectory(target.modelDir().resolve("code/.smc-site"))) {
            extra.add(0, target.modelDir().resolve("code/.smc-site").toString());
        }
        load.put("extra_path", extra);
        load.put("model_name", target.modelName());
        load.put("gpu_id", options.gpus() > 0 ? (Object) (long) (pinGpu ? 0 : slot % options.gpus()) : null);
        load.put("codecs", codecs);
        load.put("npy_allow_pickle", npyAllowPickle);
        load.put(
                "log_level",
                env.logLevel() <= 10
                        ? "DEBUG"
                        : env.logLevel() <= 20 ? "INFO" : env.logLevel() <= 30 ? "WARNING" : "ERROR");
        load.put("timeout_action", timeoutAction);
        load.put("server_version", "smcontainers");
        load.put("defaults_file", defaultsFile.map(Path::toString).orElse(null));
        return load;
    }

    /** {@code <dist>/lib/python/smc_worker.py} next to this jar, else the class-path resource extracted into the socket dir. */
    private static Path findScript(Path socketDir) throws IOException {
        try {
            java.security.CodeSource source =
                    PythonBackend.class.getProtectionDomain().getCodeSource();
            if (source != null && source.getLocation() != null) {
                Path jar = Path.of(source.getLocation().toURI());
                if (Files.isRegularFile(jar) && jar.getParent() != null) {
                    Path dist = jar.getParent().resolve("python").resolve("smc_worker.py");
                    if (Files.isRegularFile(dist)) {
                        return dist;
                    }
                }
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall back to the resource
        }
        try (InputStream in = PythonBackend.class.getClassLoader().getResourceAsStream(SCRIPT_RESOURCE)) {
            if (in == null) {
                throw new IOException("the Python worker script " + SCRIPT_RESOURCE
                        + " is neither in <dist>/lib/python nor on the class path");
            }
            Path target = socketDir.resolve("smc_worker.py");
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        }
    }

    private Optional<Path> copyDefaults(Path socketDir) throws IOException {
        if (options.frameworkDefaults().isEmpty()) {
            return Optional.empty();
        }
        java.net.URL url = options.frameworkDefaults().get();
        String path = url.getPath();
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (!name.endsWith(".py") || name.length() < 4) {
            throw new IOException("the framework's Python defaults module " + url + " is not a .py file");
        }
        Path dir = Files.createDirectories(socketDir.resolve("fw"));
        Path target = dir.resolve(name);
        try (InputStream in = url.openStream()) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return Optional.of(target);
    }

    private static int integer(Map<String, String> vars, String name, int fallback, int min) {
        String value = vars.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed < min) {
                throw new IllegalArgumentException(name + " must be >= " + min + ", got '" + value + "'");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'", e);
        }
    }

    private static boolean bool(Map<String, String> vars, String name, boolean fallback) {
        String value = vars.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        return value.strip().equalsIgnoreCase("true") || value.strip().equals("1");
    }

    /** Deletes the socket directory and stops the watchdog; call after the server has stopped its workers. */
    @Override
    public void close() {
        timer.shutdownNow();
        listener.close();
    }
}
