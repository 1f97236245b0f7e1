package io.smcontainers.launcher.train;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.smcontainers.env.core.ServingEnv;
import io.smcontainers.intermediate.sync.IntermediateSync;
import io.smcontainers.intermediate.sync.SyncStats;
import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.process.ProcessActivity;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code train}'s Prometheus metrics, on {@code SMC_METRICS_PORT} when it is set (bound to {@code SMC_BIND_ADDRESS},
 * default {@code 0.0.0.0}): the state of the job's processes ({@link ProcessActivity}) and the intermediate sync's
 * counts ({@link IntermediateSync#stats()}), read at scrape time only. Served by the Prometheus client's own
 * {@link HTTPServer} (the JDK's {@code com.sun.net.httpserver}, daemon threads): {@code train} never loads the Netty
 * server, and this costs nothing unless the variable is set.
 */
public final class TrainMetrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrainMetrics.class);

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private volatile IntermediateSync sync;
    private HTTPServer server;

    private TrainMetrics(ProcessActivity activity) {
        register(activity);
    }

    /**
     * Starts the listener when {@code SMC_METRICS_PORT} is set. A port that cannot be bound is logged and the job goes on
     * without metrics (a metrics port never fails a training job).
     *
     * @throws LauncherException exit code 1 when the variable is not a port number
     */
    public static Optional<TrainMetrics> start(Map<String, String> environment, ProcessActivity activity) {
        Optional<Integer> port;
        try {
            port = ServingEnv.metricsPort(environment);
        } catch (IllegalArgumentException e) {
            throw new LauncherException(
                    LauncherException.Category.USER, 1, "Invalid environment variable " + e.getMessage());
        }
        if (port.isEmpty()) {
            return Optional.empty();
        }
        String host = environment.getOrDefault("SMC_BIND_ADDRESS", "");
        host = host.isBlank() ? "0.0.0.0" : host.strip();
        TrainMetrics metrics = new TrainMetrics(activity);
        try {
            metrics.server = HTTPServer.builder()
                    .hostname(host)
                    .port(port.get())
                    .registry(metrics.registry)
                    .buildAndStart();
        } catch (IOException | RuntimeException e) {
            log.error(
                    "Cannot serve metrics on {}:{} ({}): {}; training goes on without them",
                    host,
                    port.get(),
                    ServingEnv.METRICS_PORT,
                    e.toString());
            return Optional.empty();
        }
        log.info("Prometheus metrics on http://{}:{}/metrics", host, metrics.port());
        return Optional.of(metrics);
    }

    private void register(ProcessActivity activity) {
        GaugeWithCallback.builder()
                .name("smc_train_process_state")
                .help(
                        "1 for the state the job's processes (pip install, then the entry point) are in: not_started, running, exited")
                .labelNames("state")
                .callback(callback -> {
                    ProcessActivity.State now = activity.snapshot().state();
                    for (ProcessActivity.State state : ProcessActivity.State.values()) {
                        callback.call(state == now ? 1 : 0, state.name().toLowerCase(Locale.ROOT));
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("smc_train_processes_started_total")
                .help("Processes train started for the job")
                .callback(callback -> callback.call(activity.snapshot().started()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("smc_train_process_last_exit_code")
                .help("Exit code of the process that ended last (128 + n for signal n); absent before one ended")
                .callback(callback -> activity.snapshot().lastExitCode().ifPresent(callback::call))
                .register(registry);
        CounterWithCallback.builder()
                .name("smc_sync_uploaded_files_total")
                .help("Intermediate output sync: objects written to S3 (absent while no sync runs)")
                .callback(callback -> stats().ifPresent(stats -> callback.call(stats.filesUploaded())))
                .register(registry);
        CounterWithCallback.builder()
                .name("smc_sync_uploaded_bytes_total")
                .help("Intermediate output sync: bytes written to S3")
                .callback(callback -> stats().ifPresent(stats -> callback.call(stats.bytesUploaded())))
                .register(registry);
        syncGauge("smc_sync_failed_files", "files whose latest version could not be uploaded", SyncStats::failures);
        syncGauge(
                "smc_sync_queued_files",
                "files waiting for an upload, being uploaded or waiting for a retry",
                SyncStats::queued);
    }

    private void syncGauge(String name, String help, ToLongFunction<SyncStats> value) {
        GaugeWithCallback.builder()
                .name(name)
                .help("Intermediate output sync: " + help)
                .callback(callback -> stats().ifPresent(stats -> callback.call(value.applyAsLong(stats))))
                .register(registry);
    }

    private Optional<SyncStats> stats() {
        return Optional.ofNullable(sync).map(IntermediateSync::stats);
    }

    /** From now on the sync's counts are exposed (until the listener closes, after the sync stopped: its final counts). */
    public void watch(IntermediateSync running) {
        this.sync = requireNonNull(running, "running is null");
    }

    /** The bound port. */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
