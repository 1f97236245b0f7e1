package io.smcontainers.serving.netty;

import static java.util.Objects.requireNonNull;

import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.ServingContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded model and its instances: one shared instance, or a pool of per-worker instances that a worker borrows for
 * one invocation (so an instance is never used by two threads at once). Counts in-flight invocations for unload.
 */
final class LoadedModel {
    private static final Logger log = LoggerFactory.getLogger(LoadedModel.class);

    private final String name;
    private final String url;
    private final Path path;
    private final ModelHandler<Object> handler;
    private final ServingContext context;
    private final Metrics metrics;
    private final LinkedBlockingQueue<Object> instances = new LinkedBlockingQueue<>();
    private final List<Object> all = new ArrayList<>();
    private final Object shared;
    /** The handler declared itself non-blocking: invocations run inline on the event loop when an instance is free. */
    private final boolean inline;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final Instant loadedAt;
    private volatile boolean unloading;
    /** Replacements of lost instances (crashed or killed Python workers) in progress, and slots given up after repeated failed loads. */
    private final AtomicInteger replacing = new AtomicInteger();

    private final AtomicInteger givenUp = new AtomicInteger();
    /** Consecutive short-lived instances: the respawn back-off index (python-workers spec 3.9). */
    private final AtomicInteger crashStreak = new AtomicInteger();

    private static final long STABLE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int MAX_FAILED_LOADS = 5;
    /** Loads still running after the model became ready (Python workers); stopped at unload. */
    private volatile ExecutorService pendingLoads;

    private LoadedModel(
            String name,
            String url,
            Path path,
            ModelHandler<Object> handler,
            ServingContext context,
            Metrics metrics,
            List<Object> loaded) {
        this.name = name;
        this.metrics = metrics;
        this.url = url;
        this.path = path;
        this.handler = handler;
        this.context = context;
        this.all.addAll(loaded);
        this.instances.addAll(loaded);
        this.shared = handler.concurrency() == ModelHandler.Concurrency.SHARED ? loaded.get(0) : null;
        this.inline = handler.execution() == ModelHandler.Execution.NON_BLOCKING;
        this.loadedAt = Instant.now();
        for (Object instance : loaded) {
            watch(instance);
        }
        python(handler).filter(backend -> backend.idlePingNanos() > 0).ifPresent(this::startPinger);
    }

    /**
     * Loads {@code count} instances in parallel (one for a shared handler); on any failure unloads the others and rethrows.
     * Each instance load (and each later replacement) is timed into {@code metrics}.
     */
    @SuppressWarnings("unchecked")
    static LoadedModel load(
            String name,
            String url,
            Path path,
            ModelHandler<?> handler,
            int count,
            ServingContext context,
            Metrics metrics)
            throws Exception {
        ModelHandler<Object> typed = (ModelHandler<Object>) requireNonNull(handler, "handler is null");
        int instances = handler.concurrency() == ModelHandler.Concurrency.SHARED ? 1 : Math.max(1, count);
        if (handler instanceof PythonHandler && instances > 1) {
            return loadUntilFirstReady(name, url, path, typed, instances, context, metrics);
        }
        long start = System.nanoTime();
        List<Object> loaded = new ArrayList<>();
        if (instances == 1) {
            loaded.add(loadInstance(name, typed, path, context, metrics));
        } else {
            ExecutorService loaders = Executors.newFixedThreadPool(Math.min(instances, 8), runnable -> {
                Thread thread = new Thread(runnable, "smc-model-load-" + name);
                thread.setDaemon(true);
                return thread;
            });
            try {
                List<Future<Object>> futures = new ArrayList<>();
                for (int i = 0; i < instances; i++) {
                    futures.add(loaders.submit(() -> loadInstance(name, typed, path, context, metrics)));
                }
                Throwable failure = null;
                int failures = 0;
                int identical = 0;
                for (Future<Object> future : futures) {
                    try {
                        loaded.add(future.get());
                    } catch (ExecutionException e) {
                        failures++;
                        failure = failure == null ? e.getCause() : failure;
                        if (String.valueOf(failure.getMessage())
                                .equals(String.valueOf(e.getCause().getMessage()))) {
                            identical++;
                        }
                    }
                }
                if (failures > 1) {
                    log.error(
                            "{} of {} instances of model '{}' failed to load{}; the first error is reported",
                            failures,
                            instances,
                            name,
                            identical == failures ? " identically" : "");
                }
                if (failure != null) {
                    for (Object model : loaded) {
                        unloadQuietly(typed, name, model);
                    }
                    if (failure instanceof Exception) {
                        throw (Exception) failure;
                    }
                    throw (Error) failure;
                }
            } finally {
                loaders.shutdownNow();
            }
        }
        log.info(
                "Loaded model '{}' from {} ({} instance{}, {} concurrency) in {} ms",
                name,
                path,
                instances,
                instances == 1 ? "" : "s",
                handler.concurrency(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return new LoadedModel(name, url, path, typed, context, metrics, loaded);
    }

    /** One instance, its load time (or failure) recorded. */
    private static Object loadInstance(
            String name, ModelHandler<Object> handler, Path path, ServingContext context, Metrics metrics)
            throws Exception {
        long start = System.nanoTime();
        try {
            Object instance = requireNonNull(handler.loadModel(path, context), "loadModel returned null");
            metrics.instanceLoaded(name, System.nanoTime() - start);
            return instance;
        } catch (Exception | Error e) {
            metrics.instanceLoadFailed(name);
            throw e;
        }
    }

    /**
     * Python workers (python-workers spec 3.7): all W load at once and the model is ready at the first READY; the others
     * join the pool as they finish. A failure before the first READY is fatal (the other loads are stopped and awaited);
     * a failure after it is a lost slot, restarted with back-off.
     */
    private static LoadedModel loadUntilFirstReady(
            String name,
            String url,
            Path path,
            ModelHandler<Object> handler,
            int instances,
            ServingContext context,
            Metrics metrics)
            throws Exception {
        long start = System.nanoTime();
        int concurrency = python(handler)
                .map(backend -> backend.loadConcurrency(instances))
                .orElse(instances);
        ExecutorService loaders =
                Executors.newFixedThreadPool(Math.max(1, Math.min(instances, concurrency)), runnable -> {
                    Thread thread = new Thread(runnable, "smc-model-load-" + name);
                    thread.setDaemon(true);
                    return thread;
                });
        java.util.concurrent.ExecutorCompletionService<Object> done =
                new java.util.concurrent.ExecutorCompletionService<>(loaders);
        for (int i = 0; i < instances; i++) {
            done.submit(() -> loadInstance(name, handler, path, context, metrics));
        }
        Object first;
        try {
            first = done.take().get();
        } catch (ExecutionException | InterruptedException e) {
            // fatal before the first READY: stop the other loads (an interrupted load kills its worker) and count alike
            // failures
            loaders.shutdownNow();
            Throwable failure = e instanceof ExecutionException ? e.getCause() : e;
            int failed = 1;
            int identical = 1;
            for (int i = 1; i < instances; i++) {
                try {
                    unloadQuietly(handler, name, done.take().get());
                } catch (ExecutionException other) {
                    failed++;
                    if (String.valueOf(other.getCause().getMessage()).equals(String.valueOf(failure.getMessage()))) {
                        identical++;
                    }
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (failed > 1) {
                log.error(
                        "{} of {} instances of model '{}' failed to load{}; the first error is reported",
                        failed,
                        instances,
                        name,
                        identical == failed ? " identically" : "");
            }
            if (failure instanceof Exception exception) {
                throw exception;
            }
            throw (Error) failure;
        }
        log.info(
                "Model '{}' from {} is ready with its first worker in {} ms; {} more loading",
                name,
                path,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                instances - 1);
        LoadedModel model = new LoadedModel(name, url, path, handler, context, metrics, List.of(first));
        model.pendingLoads = loaders;
        Thread joiner = new Thread(
                () -> {
                    try {
                        int joined = 1;
                        for (int i = 1; i < instances; i++) {
                            try {
                                model.join(done.take().get());
                                joined++;
                            } catch (ExecutionException e) {
                                model.loadFailedAfterReady(e.getCause());
                            }
                        }
                        if (joined == instances && !model.unloading) {
                            log.info(
                                    "All {} workers of model '{}' are ready ({} ms)",
                                    instances,
                                    name,
                                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        loaders.shutdown();
                    }
                },
                "smc-model-load-join-" + name);
        joiner.setDaemon(true);
        joiner.start();
        return model;
    }

    /** A worker that finished loading after the model was ready joins the pool (or is unloaded when the model is going away). */
    private void join(Object instance) {
        if (unloading) {
            unloadQuietly(handler, name, instance);
            return;
        }
        synchronized (all) {
            all.add(instance);
        }
        watch(instance);
        instances.add(instance);
    }

    private void loadFailedAfterReady(Throwable failure) {
        if (unloading) {
            return;
        }
        log.warn(
                "A worker of model '{}' failed to load after the model was ready; restarting it: {}",
                name,
                failure.getMessage());
        replacing.incrementAndGet();
        Thread thread = new Thread(
                () -> {
                    try {
                        respawn(crashStreak.getAndIncrement() + 1, "load_failed");
                    } finally {
                        replacing.decrementAndGet();
                    }
                },
                "smc-py-respawn-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    String name() {
        return name;
    }

    String url() {
        return url;
    }

    ModelHandler<Object> handler() {
        return handler;
    }

    Instant loadedAt() {
        return loadedAt;
    }

    int instanceCount() {
        synchronized (all) {
            return all.size();
        }
    }

    /** Whether invocations may run inline on the event loop ({@link ModelHandler.Execution#NON_BLOCKING}). */
    boolean inline() {
        return inline;
    }

    /** An instance for one invocation if one is free now (never waits); null otherwise. */
    Object tryBorrow() {
        return shared != null ? shared : instances.poll();
    }

    /** An instance for one invocation, waiting up to the timeout for a per-worker one; null when none became free (at once when none can come back). */
    Object borrow(long timeoutNanos) throws InterruptedException {
        if (shared != null) {
            return shared;
        }
        Object instance = instances.poll();
        if (instance != null) {
            return instance;
        }
        if (gaveUp()) {
            return null;
        }
        return instances.poll(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS);
    }

    void giveBack(Object instance) {
        if (shared != null) {
            return;
        }
        if (instance instanceof PythonWorker worker && worker.lost()) {
            replaceLost(worker);
            return;
        }
        instances.add(instance);
    }

    /** A Python worker that dies while idle (nobody is reading its socket) is taken out of the free instances and replaced. */
    private void watch(Object instance) {
        if (instance instanceof PythonWorker worker) {
            worker.onExit(() -> {
                if (!unloading && instances.remove(worker)) {
                    log.warn(
                            "Python worker {} (pid {}) of model '{}' exited while idle",
                            worker.id(),
                            worker.pid(),
                            name);
                    replaceLost(worker);
                }
            });
        }
    }

    /** Every second, idle Python workers past SMC_PY_IDLE_PING_SECONDS are taken out of the pool, pinged, and put back (or replaced). */
    private void startPinger(PythonBackend backend) {
        Thread pinger = new Thread(
                () -> {
                    while (!unloading) {
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            return;
                        }
                        for (Object instance : instances.toArray()) {
                            if (unloading
                                    || !(instance instanceof PythonWorker worker)
                                    || worker.idleNanos() < backend.idlePingNanos()) {
                                continue;
                            }
                            if (!instances.remove(worker)) {
                                continue; // an invocation took it meanwhile
                            }
                            if (worker.ping(10_000)) {
                                instances.add(worker);
                            } else {
                                replaceLost(worker);
                            }
                        }
                    }
                },
                "smc-py-ping-" + name);
        pinger.setDaemon(true);
        pinger.start();
    }

    /** Whether {@code /ping} may answer 200: some instance is loaded (a Python worker READY or BUSY). */
    boolean healthy() {
        if (shared != null) {
            return true;
        }
        synchronized (all) {
            return !all.isEmpty();
        }
    }

    /** Every instance is gone and none is coming back (each slot failed to load 5 times in a row). */
    boolean gaveUp() {
        return givenUp.get() > 0 && replacing.get() == 0 && !healthy();
    }

    /**
     * Drops a crashed or killed worker and loads a replacement on a background thread after the back-off delay: 0 s,
     * then 1, 2, 4, 8, 16, up to 30 s while workers keep dying within 60 s of their start; 5 failed loads in a row give the
     * slot up.
     */
    private void replaceLost(PythonWorker worker) {
        synchronized (all) {
            all.remove(worker);
        }
        unloadQuietly(handler, name, worker);
        if (unloading) {
            return;
        }
        int streak;
        String reason = restartReason(worker);
        if (worker.killedAtDeadline() || worker.recycled()) {
            streak = 0; // a hang is the request's fault, not the worker's: reload at once (gunicorn and DJL parity)
        } else if (worker.ageNanos() >= STABLE_NANOS) {
            streak = 0;
            crashStreak.set(1);
        } else {
            streak = crashStreak.getAndIncrement();
        }
        replacing.incrementAndGet();
        Thread thread = new Thread(
                () -> {
                    try {
                        respawn(streak, reason);
                    } finally {
                        replacing.decrementAndGet();
                    }
                },
                "smc-py-respawn-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** The {@code reason} label of a replaced worker. */
    private static String restartReason(PythonWorker worker) {
        if (worker.killedAtDeadline()) {
            return "deadline";
        }
        return worker.recycled() ? "recycled" : "lost";
    }

    private void respawn(int streak, String reason) {
        metrics.workerRestarted(name, reason);
        int failures = 0;
        int index = streak;
        while (!unloading) {
            long delay = Math.min(
                    backoffSeconds(index),
                    python(handler).map(PythonBackend::backoffMaxSeconds).orElse(30));
            if (delay > 0) {
                log.info("Restarting a Python worker of model '{}' in {} s", name, delay);
                try {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(delay));
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (unloading) {
                return;
            }
            try {
                Object fresh = loadInstance(name, handler, path, context, metrics);
                if (unloading) {
                    unloadQuietly(handler, name, fresh);
                    return;
                }
                join(fresh);
                return;
            } catch (Exception | Error e) {
                failures++;
                index++;
                if (failures >= MAX_FAILED_LOADS) {
                    givenUp.incrementAndGet();
                    log.error(
                            "Giving up a Python worker slot of model '{}' after {} failed loads in a row; {} worker(s) left. Last error: {}",
                            name,
                            failures,
                            instanceCount(),
                            e.getMessage());
                    return;
                }
                log.warn(
                        "Restarting a Python worker of model '{}' failed ({} of {}): {}",
                        name,
                        failures,
                        MAX_FAILED_LOADS,
                        e.getMessage());
            }
        }
    }

    private static java.util.Optional<PythonBackend> python(ModelHandler<?> handler) {
        Object any = handler;
        return any instanceof PythonHandler python
                ? java.util.Optional.of(python.backend())
                : java.util.Optional.empty();
    }

    static long backoffSeconds(int index) {
        if (index <= 0) {
            return 0;
        }
        return Math.min(30, 1L << Math.min(5, index - 1));
    }

    /** Drops an instance whose invocation overran its deadline (it may be corrupt) and unloads it. */
    void discard(Object instance) {
        if (shared != null) {
            return;
        }
        synchronized (all) {
            all.remove(instance);
        }
        unloadQuietly(handler, name, instance);
    }

    /** Loads a fresh per-worker instance to replace one held by a retired worker. */
    void replenish() {
        if (shared != null) {
            return;
        }
        try {
            Object fresh = loadInstance(name, handler, path, context, metrics);
            synchronized (all) {
                all.add(fresh);
            }
            instances.add(fresh);
        } catch (Exception | Error e) {
            log.error(
                    "Could not load a replacement instance of model '{}'; it now has {} instances",
                    name,
                    instanceCount(),
                    e);
        }
    }

    /** Counts an admitted invocation; false once unloading has begun. */
    boolean acquire() {
        if (unloading) {
            return false;
        }
        inFlight.incrementAndGet();
        if (unloading) {
            release();
            return false;
        }
        return true;
    }

    void release() {
        if (inFlight.decrementAndGet() == 0 && unloading) {
            synchronized (inFlight) {
                inFlight.notifyAll();
            }
        }
    }

    /** Stops admitting invocations and waits for the in-flight ones; false when they did not finish in time. */
    boolean drain(Duration timeout) throws InterruptedException {
        unloading = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (inFlight) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(inFlight, left);
            }
        }
        return true;
    }

    /** Unloads every instance (handler's {@code unload}), logging failures. */
    void unloadAll() {
        unloading = true;
        ExecutorService loading = pendingLoads;
        if (loading != null) {
            loading.shutdownNow(); // an interrupted load kills its worker
        }
        List<Object> copy;
        synchronized (all) {
            copy = new ArrayList<>(all);
            all.clear();
        }
        instances.clear();
        for (Object instance : copy) {
            unloadQuietly(handler, name, instance);
        }
    }

    private static void unloadQuietly(ModelHandler<Object> handler, String name, Object instance) {
        try {
            handler.unload(instance);
        } catch (Exception | Error e) {
            log.warn("Unloading an instance of model '{}' failed", name, e);
        }
    }
}
